package io.poolkit.bench.report;

import io.poolkit.bench.BenchMain;
import io.poolkit.bench.Settings;
import io.poolkit.bench.pools.PoolkitState;
import io.poolkit.bench.report.Results.Bench;
import io.poolkit.bench.report.Results.Waits;
import java.util.List;
import java.util.Optional;

/** The report's detail tables: threads over resources (the fairness sweep beside the anchors) and JDBC. */
final class Tables {
    private static final List<String> ANCHORS = List.of("hikariBag", "stormpot", "commonsPool2", "vibur", "viburUnfair");

    private Tables() {
    }

    /**
     * One table per shape (4 threads on 2, 8 on 2, 16 on 4): poolkit at every fairness of the sweep,
     * then the anchors; throughput and context switches from {@code Contended}, the tail and the
     * pauses from the {@code Oversubscribed} fork of the same pool and fairness.
     */
    static String overResources(Report report) {
        Results r = report.r;
        StringBuilder md = new StringBuilder("\n#### Threads over resources: poolkit's fairness sweep beside the anchors\n\n"
                + "Throughput and context switches from `Contended` (acquire, touch, return); the rest from `Oversubscribed` "
                + "(the object held for `consumeCPU(100)`): JMH's sampled p99.9, every acquire timed (worst, how many over 8 ms, "
                + "of how many), that fork's context switches, its allocation per operation and GC (`-prof gc`) and safepoint pauses (`-Xlog:safepoint`, GC pauses "
                + "included), measurement iterations only. Context switches: voluntary + involuntary of every thread of the fork, "
                + "per operation (`ContextSwitchProfiler`). poolkit's `default` fairness is 1 ms. \"No pool\" is the same timed loop with "
                + "nothing to acquire (each thread holds its own object): what the scheduler and the JVM alone add to a worst "
                + "acquire at that thread count on this machine.\n");
        for (int[] tc : BenchMain.OVERSUBSCRIBED) {
            String size = String.valueOf(tc[1]);
            md.append("\n##### ").append(tc[0]).append(" threads on ").append(tc[1]).append(" objects\n\n")
                    .append("| pool | fairness | throughput (ops/µs) | ctx switches/op | p99.9 | worst acquire | over 8 ms | ≥ 1 ms "
                            + "| acquires | ctx switches/op (hold) | allocated | GC count, time | safepoints, total | worst pause |\n")
                    .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (String fairness : PoolkitState.FAIRNESS_SWEEP) {
                Optional<Bench> thr = r.find("Contended", "poolkit", tc[0], size, Settings.DEFAULT, fairness);
                Optional<Bench> lat = r.find("Oversubscribed", "poolkit", tc[0], size, Settings.DEFAULT, fairness);
                if (thr.isPresent() || lat.isPresent()) {
                    md.append(line(r, "poolkit", fairness.equals(PoolkitState.DEFAULT_FAIRNESS) ? "**default (1 ms)**" : fairness, thr, lat));
                }
            }
            for (String impl : ANCHORS) {
                Optional<Bench> thr = r.find("Contended", impl, tc[0], size, Settings.DEFAULT);
                Optional<Bench> lat = r.find("Oversubscribed", impl, tc[0], size, Settings.DEFAULT);
                if (thr.isPresent() || lat.isPresent()) {
                    md.append(line(r, Results.NAMES.get(impl), "–", thr, lat));
                }
            }
            Optional<Bench> floor = r.find("Oversubscribed", "noPool", tc[0], null, null);
            if (floor.isPresent()) {
                md.append(line(r, "no pool (the floor)", "–", Optional.empty(), floor));
            }
        }
        return md.toString();
    }

    private static String line(Results r, String pool, String fairness, Optional<Bench> thr, Optional<Bench> lat) {
        Optional<Waits> w = lat.flatMap(r::waitsOf);
        return "| " + pool + " | " + fairness + " | "
                + thr.map(b -> Report.fmt(b.score()) + (Double.isNaN(b.error()) ? "" : " ± " + Report.fmt(b.error()))).orElse("–") + " | "
                + thr.map(b -> switches(b)).orElse("–") + " | "
                + lat.map(b -> Report.us(b.percentiles().getOrDefault("99.9", Double.NaN))).orElse("–") + " | "
                + w.map(x -> Report.us(x.worstNanos() / 1000.0)).orElse("–") + " | "
                + w.map(x -> x.over8ms() < 0 ? "–" : String.valueOf(x.over8ms())).orElse("–") + " | "
                + w.map(x -> String.valueOf(x.atLeast1ms())).orElse("–") + " | "
                + w.map(x -> String.valueOf(x.count())).orElse("–") + " | "
                + lat.map(b -> switches(b)).orElse("–") + " | "
                + lat.map(b -> Report.secondary(b, "gc.alloc.rate.norm")).orElse("–") + " | "
                + lat.map(b -> Report.secondary(b, "gc.count") + ", " + Report.secondary(b, "gc.time")).orElse("–") + " | "
                + lat.map(b -> Report.secondary(b, "safepoints.count") + ", " + Report.secondary(b, "safepoints.total")).orElse("–") + " | "
                + lat.map(b -> Report.secondary(b, "safepoints.max")).orElse("–") + " |\n";
    }

    private static String switches(Bench b) {
        Double v = b.secondary().get(Report.CTXSW);
        return v == null ? "–" : Report.fmt(v);
    }

    /** HikariCP-benchmark's two cycles on the stub driver, at both shapes, with poolkit's ratio to HikariCP. */
    static String jdbc(Report report) {
        Results r = report.r;
        if (r.benches.stream().noneMatch(b -> b.cls().equals("JdbcCycles"))) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n#### JDBC: `PooledDataSource` beside HikariCP 7 (and dbcp2 in a full run), stub driver\n\n"
                + "| threads / connections | cycle | poolkit (ops/µs) | HikariCP 7 | dbcp2 | poolkit ÷ HikariCP | ctx switches/op: poolkit "
                + "| HikariCP | dbcp2 |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int[] shape : BenchMain.JDBC) {
            for (String cycle : new String[] {"connectionCycle", "statementCycle"}) {
                Optional<Bench> p = r.jdbc(cycle, "poolkit", shape[0], shape[1]);
                Optional<Bench> h = r.jdbc(cycle, "hikari", shape[0], shape[1]);
                Optional<Bench> d = r.jdbc(cycle, "dbcp2", shape[0], shape[1]);
                String ratio = p.isPresent() && h.isPresent() && h.get().score() > 0
                        ? Report.fmt(p.get().score() / h.get().score()) : "–";
                md.append("| ").append(shape[0]).append(" / ").append(shape[1]).append(" | ").append(cycle).append(" | ")
                        .append(score(p)).append(" | ").append(score(h)).append(" | ").append(score(d)).append(" | ")
                        .append(ratio).append(" | ")
                        .append(p.map(Tables::switches).orElse("–")).append(" | ")
                        .append(h.map(Tables::switches).orElse("–")).append(" | ")
                        .append(d.map(Tables::switches).orElse("–")).append(" |\n");
            }
        }
        return md.toString();
    }

    private static String score(Optional<Bench> b) {
        return b.map(x -> Report.fmt(x.score()) + (Double.isNaN(x.error()) ? "" : " ± " + Report.fmt(x.error()))).orElse("–");
    }
}
