package io.poolkit.bench.report;

import io.poolkit.bench.report.Results.Bench;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one run's directory into the table on the console, {@code report.md} and
 * {@code chart.png}. Every ratio is poolkit's figure divided by the anchor's, in the scenario's own
 * unit: for a time (ns/op, µs, ms, created) below 1 means poolkit is better, for a throughput above 1.
 *
 * <pre>java -cp pool-bench.jar:lib/* io.poolkit.bench.report.Report RESULT_DIR</pre>
 */
public final class Report {

    /** One scenario: poolkit's figure and every anchor's, in one unit. */
    record Row(String label, String unit, boolean higherIsBetter, Map<String, Double> values, Map<String, Double> errors) {
        double of(String impl) {
            return values.getOrDefault(impl, Double.NaN);
        }

        double errorOf(String impl) {
            return errors.getOrDefault(impl, Double.NaN);
        }
    }

    /** One DESIGN target and what this run says about it. */
    record Target(String target, String poolkit, String reference, String verdict) {
    }

    static final int[][] CONTENDED = {{2, 10}, {4, 10}, {8, 10}, {2, 2}, {4, 2}, {8, 2}, {16, 4}};
    static final int[][] OVERSUBSCRIBED = {{4, 2}, {16, 4}};
    static final String[][] PERCENTILES = {{"50.0", "p50"}, {"99.0", "p99"}, {"99.9", "p99.9"}, {"100.0", "max sampled"}};

    private final Results r;
    final List<Row> rows = new ArrayList<>();

    private Report(Results r) {
        this.r = r;
        build();
    }

    /**
     * @param args the result directory
     * @throws IOException when it cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Report RESULT_DIR");
            System.exit(2);
        }
        write(Path.of(args[0]));
    }

    /**
     * Prints the table and writes {@code report.md} and {@code chart.png} into {@code dir}.
     *
     * @param dir a directory {@code BenchMain} wrote
     * @throws IOException when it cannot be read or written
     */
    public static void write(Path dir) throws IOException {
        Report report = new Report(new Results(dir));
        System.out.println();
        System.out.println(report.console());
        Files.writeString(dir.resolve("report.md"), report.markdown("chart.png"), StandardCharsets.UTF_8);
        Chart.write(report, dir.resolve("chart.png"));
        System.out.println("wrote " + dir.resolve("report.md") + " and " + dir.resolve("chart.png"));
    }

    // ---------------------------------------------------------------- the rows

    private void build() {
        for (String config : new String[] {"default", "timed"}) {
            Row row = row("uncontended, pool 10, 1 thread, " + (config.equals("default") ? "default options" : "idle+lifetime tracking on"),
                    "ns/op", false);
            for (String impl : Results.IMPLS) {
                r.find("Uncontended", impl, 1, "10", config).ifPresent(b -> put(row, impl, b.score(), b.error()));
            }
        }
        for (int[] tc : CONTENDED) {
            Row row = row("throughput, " + tc[0] + " threads, pool " + tc[1], "ops/µs", true);
            for (String impl : Results.IMPLS) {
                r.find("Contended", impl, tc[0], String.valueOf(tc[1]), null).ifPresent(b -> put(row, impl, b.score(), b.error()));
            }
        }
        for (int[] tc : OVERSUBSCRIBED) {
            String prefix = "oversubscribed " + tc[0] + " threads / " + tc[1] + " objects, ";
            for (String[] p : PERCENTILES) {
                Row row = row(prefix + p[1], "µs", false);
                for (String impl : Results.IMPLS) {
                    r.find("Oversubscribed", impl, tc[0], String.valueOf(tc[1]), null)
                            .ifPresent(b -> put(row, impl, b.percentiles().getOrDefault(p[0], Double.NaN), Double.NaN));
                }
            }
            Row worst = row(prefix + "worst acquire (every acquire timed)", "µs", false);
            for (String impl : Results.IMPLS) {
                r.find("Oversubscribed", impl, tc[0], String.valueOf(tc[1]), null)
                        .flatMap(r::waitsOf)
                        .ifPresent(w -> put(worst, impl, w.worstNanos() / 1000.0, Double.NaN));
            }
        }
        Row created = row("spike: resources created (50 threads, create 150 ms, use 2 ms, minIdle 5)", "objects", false);
        Row time = row("spike: time until the last thread is done", "ms", false);
        for (String impl : Results.IMPLS) {
            Map<String, Object> m = r.spikeMedian(impl);
            if (m != null) {
                put(created, impl, io.poolkit.bench.Json.number(m.get("createdTotal")), Double.NaN);
                put(time, impl, io.poolkit.bench.Json.number(m.get("spikeMillis")), Double.NaN);
            }
        }
    }

    private Row row(String label, String unit, boolean higherIsBetter) {
        Row row = new Row(label, unit, higherIsBetter, new LinkedHashMap<>(), new LinkedHashMap<>());
        rows.add(row);
        return row;
    }

    private static void put(Row row, String impl, double value, double error) {
        row.values().put(impl, value);
        row.errors().put(impl, error);
    }

    boolean smoke() {
        return r.mode().equals("smoke");
    }

    Row rowStartingWith(String label) {
        return rows.stream().filter(row -> row.label().startsWith(label)).findFirst().orElseThrow();
    }

    // ---------------------------------------------------------------- the targets

    List<Target> targets() {
        List<Target> t = new ArrayList<>();
        Row plain = rowStartingWith("uncontended, pool 10, 1 thread, default");
        Row timed = rowStartingWith("uncontended, pool 10, 1 thread, idle");
        double pk = plain.of("poolkit");
        t.add(new Target("uncontended: at most 1.2× Stormpot's time", ns(pk), "Stormpot " + ns(plain.of("stormpot")),
                verdict(pk, plain.of("stormpot") * 1.2, false, plain.errorOf("poolkit"), plain.errorOf("stormpot") * 1.2)));
        t.add(new Target("uncontended: at least 30× faster than commons-pool2", ns(pk),
                "commons-pool2 " + ns(plain.of("commonsPool2")) + " (" + fmt(plain.of("commonsPool2") / pk) + "×)",
                verdict(pk * 30, plain.of("commonsPool2"), false, plain.errorOf("poolkit") * 30, plain.errorOf("commonsPool2"))));
        t.add(new Target("uncontended: faster than HikariCP's ConcurrentBag", ns(pk), "bag " + ns(plain.of("hikariBag")),
                verdict(pk, plain.of("hikariBag"), false, plain.errorOf("poolkit"), plain.errorOf("hikariBag"))));
        t.add(new Target("idle timeout + max lifetime + validateAfterIdle on: at most 15 ns", ns(timed.of("poolkit")),
                "Stormpot with time expiration " + ns(timed.of("stormpot")),
                verdict(timed.of("poolkit"), 15, false, timed.errorOf("poolkit"), 0)));
        t.add(new Target("1 thread on pool 10: not slower than Stormpot", ns(pk), "Stormpot " + ns(plain.of("stormpot")),
                verdict(pk, plain.of("stormpot"), false, plain.errorOf("poolkit"), plain.errorOf("stormpot"))));
        for (int threads : new int[] {2, 4, 8}) {
            Row row = rowStartingWith("throughput, " + threads + " threads, pool 10");
            t.add(new Target(threads + " threads on pool 10: throughput not below Stormpot's", ops(row.of("poolkit")),
                    "Stormpot " + ops(row.of("stormpot")),
                    verdict(row.of("poolkit"), row.of("stormpot"), true, row.errorOf("poolkit"), row.errorOf("stormpot"))));
        }
        for (int[] tc : new int[][] {{4, 2}, {16, 4}}) {
            Row row = rowStartingWith("throughput, " + tc[0] + " threads, pool " + tc[1]);
            t.add(new Target(tc[0] + " threads on pool " + tc[1] + ": throughput at least vibur's (fair)", ops(row.of("poolkit")),
                    "vibur fair " + ops(row.of("vibur")),
                    verdict(row.of("poolkit"), row.of("vibur"), true, row.errorOf("poolkit"), row.errorOf("vibur"))));
        }
        for (int[] tc : OVERSUBSCRIBED) {
            String prefix = "oversubscribed " + tc[0] + " threads / " + tc[1] + " objects, ";
            Row p999 = rowStartingWith(prefix + "p99.9");
            t.add(new Target(tc[0] + " threads / " + tc[1] + " objects: p99.9 under 50 µs", us(p999.of("poolkit")),
                    "Stormpot " + us(p999.of("stormpot")) + ", bag " + us(p999.of("hikariBag")),
                    verdict(p999.of("poolkit"), 50, false, 0, 0)));
            Row worst = rowStartingWith(prefix + "worst acquire");
            t.add(new Target(tc[0] + " threads / " + tc[1] + " objects: worst acquire under 10 ms", us(worst.of("poolkit")),
                    "Stormpot " + us(worst.of("stormpot")) + ", bag " + us(worst.of("hikariBag")),
                    verdict(worst.of("poolkit"), 10_000, false, 0, 0)));
        }
        Row spike = rowStartingWith("spike: resources created");
        t.add(new Target("spike: at most 10 resources created", fmt(spike.of("poolkit")),
                "bag model " + fmt(spike.of("hikariBag")) + ", vibur " + fmt(spike.of("vibur")) + ", commons-pool2 " + fmt(spike.of("commonsPool2")),
                verdict(spike.of("poolkit"), 10, false, 0, 0)));
        return t;
    }

    /** {@code value} must be at most (or, higherIsBetter, at least) {@code limit}. */
    private String verdict(double value, double limit, boolean higherIsBetter, double valueError, double limitError) {
        if (Double.isNaN(value) || Double.isNaN(limit)) {
            return "not yet measured";
        }
        if (r.mode().equals("smoke")) {
            return "not measured (smoke run)";
        }
        boolean met = higherIsBetter ? value >= limit : value <= limit;
        double err = (Double.isNaN(valueError) ? 0 : valueError) + (Double.isNaN(limitError) ? 0 : limitError);
        boolean close = Math.abs(value - limit) <= err;
        return (met ? "met" : "not met") + (close ? " (within the error)" : "");
    }

    // ---------------------------------------------------------------- the outputs

    String console() {
        StringBuilder sb = new StringBuilder();
        List<String> anchors = Results.IMPLS.subList(1, Results.IMPLS.size());
        String header = String.format(Locale.ROOT, "%-70s %-8s %10s", "scenario (ratio = poolkit / anchor)", "unit", "poolkit");
        sb.append(header);
        for (String a : anchors) {
            sb.append(String.format(Locale.ROOT, " %12s", shortName(a)));
        }
        sb.append('\n').append("-".repeat(header.length() + 13 * anchors.size())).append('\n');
        for (Row row : rows) {
            sb.append(String.format(Locale.ROOT, "%-70s %-8s %10s", row.label(), row.unit(), fmt(row.of("poolkit"))));
            for (String a : anchors) {
                sb.append(String.format(Locale.ROOT, " %12s", ratio(row, a)));
            }
            sb.append('\n');
        }
        sb.append("\ntargets (").append(r.mode()).append(" run):\n");
        for (Target target : targets()) {
            sb.append(String.format(Locale.ROOT, "  %-26s %s  [poolkit %s; %s]%n", target.verdict(), target.target(), target.poolkit(), target.reference()));
        }
        return sb.toString();
    }

    String markdown(String chartLink) {
        StringBuilder md = new StringBuilder();
        Map<String, Object> run = r.run;
        md.append("### Run: `pool-bench/run ").append(r.mode()).append("`, ").append(run.getOrDefault("started", "?")).append("\n\n");
        if (r.mode().equals("smoke")) {
            md.append("> **Smoke run**: one short iteration per benchmark, only to check the harness end to end. "
                    + "These figures are not measurements.\n\n");
        }
        md.append("- machine: ").append(run.getOrDefault("cpu", "?")).append(", ").append(fmt(io.poolkit.bench.Json.number(run.get("cores"))))
                .append(" cores; load average at start ").append(run.getOrDefault("loadAverageAtStart", "?"))
                .append(", at end ").append(run.getOrDefault("loadAverageAtEnd", "?")).append(" (a quiet machine reads below 0.2)\n");
        md.append("- JDK: ").append(run.getOrDefault("java", "?")).append(" (").append(run.getOrDefault("javaHome", "?")).append(")\n");
        md.append("- fork JVM options: `").append(run.getOrDefault("forkJvmArgs", "?")).append("`\n");
        md.append("- plan: ").append(run.getOrDefault("plan", "?")).append("\n\n");

        md.append("#### Targets (DESIGN.md, \"Performance targets\")\n\n");
        md.append("| target | poolkit | reference | verdict |\n|---|---|---|---|\n");
        for (Target t : targets()) {
            md.append("| ").append(t.target()).append(" | ").append(t.poolkit()).append(" | ").append(t.reference())
                    .append(" | ").append(t.verdict()).append(" |\n");
        }

        List<String> anchors = Results.IMPLS.subList(1, Results.IMPLS.size());
        md.append("\n#### poolkit and the ratio to each anchor\n\nRatio = poolkit ÷ anchor in the row's unit: "
                + "for ns/op, µs, ms and objects below 1 means poolkit is better; for ops/µs above 1.\n\n");
        md.append("| scenario | unit | poolkit |");
        anchors.forEach(a -> md.append(" ÷ ").append(Results.NAMES.get(a)).append(" |"));
        md.append("\n|---|---|---:|");
        anchors.forEach(a -> md.append("---:|"));
        md.append('\n');
        for (Row row : rows) {
            md.append("| ").append(row.label()).append(" | ").append(row.unit()).append(" | ").append(fmt(row.of("poolkit"))).append(" |");
            anchors.forEach(a -> md.append(' ').append(ratio(row, a)).append(" |"));
            md.append('\n');
        }

        md.append("\n#### Every figure (± JMH's 99.9% error where it has one)\n\n| scenario | unit |");
        Results.IMPLS.forEach(i -> md.append(' ').append(Results.NAMES.get(i)).append(" |"));
        md.append("\n|---|---|");
        Results.IMPLS.forEach(i -> md.append("---:|"));
        md.append('\n');
        for (Row row : rows) {
            md.append("| ").append(row.label()).append(" | ").append(row.unit()).append(" |");
            for (String impl : Results.IMPLS) {
                double e = row.errorOf(impl);
                md.append(' ').append(fmt(row.of(impl)));
                if (!Double.isNaN(e) && !Double.isNaN(row.of(impl))) {
                    md.append(" ± ").append(fmt(e));
                }
                md.append(" |");
            }
            md.append('\n');
        }

        md.append(pauses());
        md.append(spikeTable());
        md.append(extras());
        md.append("\n![poolkit and the anchors](").append(chartLink).append(")\n");
        return md.toString();
    }

    private String pauses() {
        StringBuilder md = new StringBuilder("\n#### Oversubscribed runs: acquires and pauses of the same forks\n\n"
                + "Every acquire timed (all threads, all measurement iterations); GC from JMH's `-prof gc`; safepoint "
                + "pauses (GC pauses included) from the JVM's `-Xlog:safepoint`, measurement iterations only.\n\n"
                + "| threads / objects | pool | acquires | ≥ 1 ms | ≥ 10 ms | worst acquire | GC count | GC time | "
                + "safepoints | total pause | worst pause | worst time to safepoint |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int[] tc : OVERSUBSCRIBED) {
            for (String impl : Results.IMPLS) {
                Optional<Bench> found = r.find("Oversubscribed", impl, tc[0], String.valueOf(tc[1]), null);
                if (found.isEmpty()) {
                    continue;
                }
                Bench b = found.get();
                Optional<Results.Waits> w = r.waitsOf(b);
                md.append("| ").append(tc[0]).append(" / ").append(tc[1]).append(" | ").append(Results.NAMES.get(impl)).append(" | ")
                        .append(w.map(x -> String.valueOf(x.count())).orElse("–")).append(" | ")
                        .append(w.map(x -> String.valueOf(x.atLeast1ms())).orElse("–")).append(" | ")
                        .append(w.map(x -> String.valueOf(x.atLeast10ms())).orElse("–")).append(" | ")
                        .append(w.map(x -> us(x.worstNanos() / 1000.0)).orElse("–")).append(" | ")
                        .append(secondary(b, "gc.count")).append(" | ")
                        .append(secondary(b, "gc.time")).append(" | ")
                        .append(secondary(b, "safepoints.count")).append(" | ")
                        .append(secondary(b, "safepoints.total")).append(" | ")
                        .append(secondary(b, "safepoints.max")).append(" | ")
                        .append(secondary(b, "safepoints.ttsp.max")).append(" |\n");
            }
        }
        return md.toString();
    }

    private static String secondary(Bench b, String name) {
        Double v = b.secondary().get(name);
        if (v == null && name.equals("gc.time") && Double.valueOf(0).equals(b.secondary().get("gc.count"))) {
            return "0 ms"; // JMH leaves gc.time out when no GC ran
        }
        if (v == null) {
            return "–";
        }
        String unit = b.secondaryUnits().getOrDefault(name, "");
        return fmt(v) + (unit.equals("counts") || unit.equals("#") ? "" : " " + unit);
    }

    private String spikeTable() {
        StringBuilder md = new StringBuilder("\n#### Spike: 50 threads at once, create 150 ms, use 2 ms, maxSize 50, minIdle 5\n\n"
                + "Median of the runs; created counts the 5 ready objects and creates the spike started that finished after it.\n\n"
                + "| pool | created | created by the end of the spike | spike time | worst acquire | failures | how it was set up |\n"
                + "|---|---:|---:|---:|---:|---:|---|\n");
        for (String impl : Results.IMPLS) {
            Map<String, Object> m = r.spikeMedian(impl);
            if (m == null) {
                continue;
            }
            md.append("| ").append(Results.NAMES.get(impl).replace(" (fair)", "")).append(" | ")
                    .append(fmt(io.poolkit.bench.Json.number(m.get("createdTotal")))).append(" | ")
                    .append(fmt(io.poolkit.bench.Json.number(m.get("createdBySpikeEnd")))).append(" | ")
                    .append(fmt(io.poolkit.bench.Json.number(m.get("spikeMillis")))).append(" ms | ")
                    .append(fmt(io.poolkit.bench.Json.number(m.get("worstAcquireMillis")))).append(" ms | ")
                    .append(fmt(io.poolkit.bench.Json.number(m.get("failures")))).append(" | ")
                    .append(m.get("note")).append(" |\n");
        }
        return md.toString();
    }

    private String extras() {
        List<Bench> extras = r.benches.stream().filter(b -> b.cls().equals("PoolkitExtras")).toList();
        if (extras.isEmpty()) {
            return "";
        }
        double base = extras.stream().filter(b -> b.param("variant").equals("baseline")).mapToDouble(Bench::score).findFirst().orElse(Double.NaN);
        StringBuilder md = new StringBuilder("\n#### Outside the targets: a listener, leak detection and Micrometer (poolkit, 1 thread, pool 10)\n\n"
                + "| variant | ns/op | cost over the baseline |\n|---|---:|---:|\n");
        for (Bench b : extras) {
            md.append("| ").append(b.param("variant")).append(" | ").append(fmt(b.score()))
                    .append(Double.isNaN(b.error()) ? "" : " ± " + fmt(b.error()))
                    .append(" | ").append(b.param("variant").equals("baseline") ? "–" : "+" + fmt(b.score() - base) + " ns")
                    .append(" |\n");
        }
        return md.toString();
    }

    // ---------------------------------------------------------------- formatting

    static String shortName(String impl) {
        return switch (impl) {
            case "stormpot" -> "÷Stormpot";
            case "commonsPool2" -> "÷commons";
            case "hikariBag" -> "÷Hikari";
            case "vibur" -> "÷viburFair";
            case "viburUnfair" -> "÷viburUnf";
            default -> impl;
        };
    }

    private static String ratio(Row row, String anchor) {
        double p = row.of("poolkit");
        double a = row.of(anchor);
        if (Double.isNaN(p) || Double.isNaN(a) || a == 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.3g", p / a);
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        double abs = Math.abs(v);
        if (abs >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (abs >= 0.01) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String ns(double v) {
        return fmt(v) + " ns";
    }

    private static String us(double v) {
        return fmt(v) + " µs";
    }

    private static String ops(double v) {
        return fmt(v) + " ops/µs";
    }
}
