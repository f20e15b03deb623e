package io.poolkit.bench.report;

import io.poolkit.bench.BenchMain;
import io.poolkit.bench.Settings;
import io.poolkit.bench.report.Report.Row;
import io.poolkit.bench.report.Report.Target;
import io.poolkit.bench.report.Results.Bench;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One verdict per target of the design's "Performance targets" list (BENCHMARKS.md states them),
 * from one run: met, not met, "within the error" when JMH's error bars straddle the threshold, or
 * not measured. A single run's worst acquire and counts have no error bar: repeat the run.
 */
final class Targets {
    /** DESIGN: fewer than this many context switches per operation when threads outnumber resources. */
    static final double MAX_SWITCHES_PER_OP = 0.05;
    /** DESIGN's aim for the worst acquire: the default fairness (1 ms) plus 10 ms, on 2 cores. */
    static final double AIM_WORST_MICROS = 11_000;

    private final Report report;
    private final Results r;

    Targets(Report report) {
        this.report = report;
        this.r = report.r;
    }

    List<Target> all() {
        List<Target> t = new ArrayList<>();
        uncontended(t);
        for (int threads : Report.THREADS_ON_10) {
            Row row = report.rowStartingWith("throughput, " + threads + " threads, pool 10");
            t.add(new Target(threads + " threads on pool 10: throughput at least Stormpot's", Report.ops(row.of("poolkit")),
                    "Stormpot " + Report.ops(row.of("stormpot")),
                    verdict(row.of("poolkit"), row.of("stormpot"), true, row.errorOf("poolkit"), row.errorOf("stormpot"))));
        }
        for (int[] tc : BenchMain.OVERSUBSCRIBED) {
            overResources(t, tc);
        }
        Row p999a = report.rowStartingWith("oversubscribed 4 threads / 2 objects, p99.9");
        t.add(new Target("4 threads on pool 2: p99.9 under 50 µs", Report.us(p999a.of("poolkit")),
                "bag " + Report.us(p999a.of("hikariBag")) + ", Stormpot " + Report.us(p999a.of("stormpot")),
                verdict(p999a.of("poolkit"), 50, false, 0, 0)));
        Row p999b = report.rowStartingWith("oversubscribed 16 threads / 4 objects, p99.9");
        t.add(new Target("16 threads on pool 4: p99.9 at most the bag's", Report.us(p999b.of("poolkit")),
                "bag " + Report.us(p999b.of("hikariBag")) + ", Stormpot " + Report.us(p999b.of("stormpot")),
                verdict(p999b.of("poolkit"), p999b.of("hikariBag"), false, 0, 0)));
        t.add(reportedBeside());
        for (int[] shape : BenchMain.JDBC) {
            for (String cycle : new String[] {"connectionCycle", "statementCycle"}) {
                double p = r.jdbc(cycle, "poolkit", shape[0], shape[1]).map(Bench::score).orElse(Double.NaN);
                double pe = r.jdbc(cycle, "poolkit", shape[0], shape[1]).map(Bench::error).orElse(Double.NaN);
                double h = r.jdbc(cycle, "hikari", shape[0], shape[1]).map(Bench::score).orElse(Double.NaN);
                double he = r.jdbc(cycle, "hikari", shape[0], shape[1]).map(Bench::error).orElse(Double.NaN);
                t.add(new Target("JDBC " + cycle.replace("Cycle", " cycle") + ", " + shape[0] + " threads / " + shape[1]
                        + " connections: at least HikariCP 7", Report.ops(p), "HikariCP " + Report.ops(h) + ratio(p, h),
                        verdict(p, h, true, pe, he)));
            }
        }
        Row spike = report.rowStartingWith("spike: resources created");
        t.add(new Target("spike: at most 10 resources created", Report.fmt(spike.of("poolkit")),
                "bag model " + Report.fmt(spike.of("hikariBag")) + ", vibur " + Report.fmt(spike.of("vibur"))
                        + ", commons-pool2 " + Report.fmt(spike.of("commonsPool2")),
                verdict(spike.of("poolkit"), 10, false, 0, 0)));
        return t;
    }

    private void uncontended(List<Target> t) {
        Row plain = report.rowStartingWith("uncontended, pool 10, 1 thread, default");
        Row timed = report.rowStartingWith("uncontended, pool 10, 1 thread, idle");
        double pk = plain.of("poolkit");
        t.add(new Target("uncontended: at most 1.2× Stormpot's time", Report.ns(pk), "Stormpot " + Report.ns(plain.of("stormpot")),
                verdict(pk, plain.of("stormpot") * 1.2, false, plain.errorOf("poolkit"), plain.errorOf("stormpot") * 1.2)));
        t.add(new Target("uncontended: at least 30× faster than commons-pool2", Report.ns(pk),
                "commons-pool2 " + Report.ns(plain.of("commonsPool2")) + " (" + Report.fmt(plain.of("commonsPool2") / pk) + "×)",
                verdict(pk * 30, plain.of("commonsPool2"), false, plain.errorOf("poolkit") * 30, plain.errorOf("commonsPool2"))));
        t.add(new Target("uncontended: faster than HikariCP's ConcurrentBag", Report.ns(pk), "bag " + Report.ns(plain.of("hikariBag")),
                verdict(pk, plain.of("hikariBag"), false, plain.errorOf("poolkit"), plain.errorOf("hikariBag"))));
        t.add(new Target("idle timeout + max lifetime + validateAfterIdle on: at most 15 ns", Report.ns(timed.of("poolkit")),
                "Stormpot with time expiration " + Report.ns(timed.of("stormpot")),
                verdict(timed.of("poolkit"), 15, false, timed.errorOf("poolkit"), 0)));
    }

    /** Threads over resources, default fairness: throughput, context switches, the tail. */
    private void overResources(List<Target> t, int[] tc) {
        String shape = tc[0] + " threads on pool " + tc[1];
        Row thr = report.rowStartingWith("throughput, " + Report.shape(tc));
        double p = thr.of("poolkit");
        double bag = thr.of("hikariBag");
        t.add(new Target(shape + ": throughput at least the bag's", Report.ops(p), "bag " + Report.ops(bag) + ratio(p, bag),
                verdict(p, bag, true, thr.errorOf("poolkit"), thr.errorOf("hikariBag"))));
        t.add(new Target(shape + ": throughput never below half the bag's", Report.ops(p), "half the bag " + Report.ops(bag / 2),
                verdict(p, bag / 2, true, thr.errorOf("poolkit"), thr.errorOf("hikariBag") / 2)));
        Row sw = report.rowStartingWith("context switches per operation, " + Report.shape(tc));
        t.add(new Target(shape + ": fewer than 0.05 context switches per operation", Report.fmt(sw.of("poolkit")),
                "bag " + Report.fmt(sw.of("hikariBag")) + ", Stormpot " + Report.fmt(sw.of("stormpot")),
                verdict(sw.of("poolkit"), Math.nextDown(MAX_SWITCHES_PER_OP), false, 0, 0)));
        String prefix = "oversubscribed " + tc[0] + " threads / " + tc[1] + " objects, ";
        Row worst = report.rowStartingWith(prefix + "worst acquire");
        Row over8 = report.rowStartingWith(prefix + "acquires over 8 ms");
        t.add(new Target(shape + ": worst acquire at most the bag's", Report.us(worst.of("poolkit")),
                "bag " + Report.us(worst.of("hikariBag")) + ", Stormpot " + Report.us(worst.of("stormpot")),
                verdict(worst.of("poolkit"), worst.of("hikariBag"), false, 0, 0)));
        t.add(new Target(shape + ": acquires over 8 ms at most the bag's", Report.fmt(over8.of("poolkit")),
                "bag " + Report.fmt(over8.of("hikariBag")) + ", Stormpot " + Report.fmt(over8.of("stormpot")),
                verdict(over8.of("poolkit"), over8.of("hikariBag"), false, 0, 0)));
        t.add(new Target(shape + ": (aim) worst acquire at most fairness + 10 ms", Report.us(worst.of("poolkit")),
                "fairness 1 ms + 10 ms = " + Report.us(AIM_WORST_MICROS) + floor(tc),
                verdict(worst.of("poolkit"), AIM_WORST_MICROS, false, 0, 0)));
    }

    /** The no-pool loop's worst at this thread count, for the aim's row: the part of any worst acquire no pool controls. */
    private String floor(int[] tc) {
        return r.find("Oversubscribed", "noPool", tc[0], null, null).flatMap(r::waitsOf)
                .map(w -> "; no pool, same loop: " + Report.us(w.worstNanos() / 1000.0)).orElse("");
    }

    /** The tail figures come with the pauses of the same forks and with fairness ZERO and FOREVER. */
    private Target reportedBeside() {
        int forks = 0;
        int withPauses = 0;
        int sweeps = 0;
        for (int[] tc : BenchMain.OVERSUBSCRIBED) {
            String size = String.valueOf(tc[1]);
            for (String impl : Results.IMPLS) {
                Optional<Bench> b = r.find("Oversubscribed", impl, tc[0], size, Settings.DEFAULT);
                if (b.isPresent()) {
                    forks++;
                    if (b.get().secondary().containsKey("safepoints.count")) {
                        withPauses++;
                    }
                }
            }
            if (r.find("Oversubscribed", "poolkit", tc[0], size, Settings.DEFAULT, "0").isPresent()
                    && r.find("Oversubscribed", "poolkit", tc[0], size, Settings.DEFAULT, "forever").isPresent()
                    && r.find("Contended", "poolkit", tc[0], size, Settings.DEFAULT, "0").isPresent()
                    && r.find("Contended", "poolkit", tc[0], size, Settings.DEFAULT, "forever").isPresent()) {
                sweeps++;
            }
        }
        int shapes = BenchMain.OVERSUBSCRIBED.size();
        String verdict = forks == 0 ? "not yet measured" : withPauses == forks && sweeps == shapes ? "reported" : "incomplete";
        return new Target("threads over resources: reported beside the GC and safepoint pauses of the same run and beside "
                + "fairness(ZERO) and fairness(FOREVER)", "pauses for " + withPauses + " of " + forks + " results",
                "ZERO and FOREVER at " + sweeps + " of " + shapes + " shapes (tables below)", verdict);
    }

    private static String ratio(double p, double anchor) {
        return Double.isNaN(p) || Double.isNaN(anchor) || anchor == 0 ? "" : " (" + Report.fmt(p / anchor) + "×)";
    }

    /** {@code value} must be at most (or, higherIsBetter, at least) {@code limit}. */
    private String verdict(double value, double limit, boolean higherIsBetter, double valueError, double limitError) {
        if (Double.isNaN(value) || Double.isNaN(limit)) {
            return "not yet measured";
        }
        if (report.smoke()) {
            return "not measured (smoke run)";
        }
        boolean met = higherIsBetter ? value >= limit : value <= limit;
        double err = (Double.isNaN(valueError) ? 0 : valueError) + (Double.isNaN(limitError) ? 0 : limitError);
        boolean close = Math.abs(value - limit) <= err;
        return (met ? "met" : "not met") + (close ? " (within the error)" : "");
    }
}
