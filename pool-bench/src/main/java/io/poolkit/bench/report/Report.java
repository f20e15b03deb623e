package io.poolkit.bench.report;

import io.poolkit.bench.BenchMain;
import io.poolkit.bench.Settings;
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

    static final int[] THREADS_ON_10 = {2, 4, 8};
    static final String[][] PERCENTILES = {{"50.0", "p50"}, {"99.0", "p99"}, {"99.9", "p99.9"}, {"100.0", "max sampled"}};

    final Results r;
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

    static String shape(int[] tc) {
        return tc[0] + " threads, pool " + tc[1];
    }

    private void build() {
        for (String config : new String[] {"default", "timed"}) {
            Row row = row("uncontended, pool 10, 1 thread, " + (config.equals("default") ? "default options" : "idle+lifetime tracking on"),
                    "ns/op", false);
            for (String impl : Results.IMPLS) {
                r.find("Uncontended", impl, 1, "10", config).ifPresent(b -> put(row, impl, b.score(), b.error()));
            }
        }
        for (int threads : THREADS_ON_10) {
            Row row = row("throughput, " + threads + " threads, pool 10", "ops/µs", true);
            for (String impl : Results.IMPLS) {
                r.find("Contended", impl, threads, "10", Settings.DEFAULT).ifPresent(b -> put(row, impl, b.score(), b.error()));
            }
        }
        for (int[] tc : BenchMain.OVERSUBSCRIBED) {
            Row row = row("throughput, " + shape(tc), "ops/µs", true);
            Row switches = row("context switches per operation, " + shape(tc), "#/op", false);
            for (String impl : Results.IMPLS) {
                r.find("Contended", impl, tc[0], String.valueOf(tc[1]), Settings.DEFAULT).ifPresent(b -> {
                    put(row, impl, b.score(), b.error());
                    put(switches, impl, b.secondary().getOrDefault(CTXSW, Double.NaN), Double.NaN);
                });
            }
        }
        for (int[] tc : BenchMain.OVERSUBSCRIBED) {
            String prefix = "oversubscribed " + tc[0] + " threads / " + tc[1] + " objects, ";
            for (String[] p : PERCENTILES) {
                Row row = row(prefix + p[1], "µs", false);
                for (String impl : Results.IMPLS) {
                    r.find("Oversubscribed", impl, tc[0], String.valueOf(tc[1]), Settings.DEFAULT)
                            .ifPresent(b -> put(row, impl, b.percentiles().getOrDefault(p[0], Double.NaN), Double.NaN));
                }
            }
            Row worst = row(prefix + "worst acquire (every acquire timed)", "µs", false);
            Row over8 = row(prefix + "acquires over 8 ms", "acquires", false);
            for (String impl : Results.IMPLS) {
                r.find("Oversubscribed", impl, tc[0], String.valueOf(tc[1]), Settings.DEFAULT)
                        .flatMap(r::waitsOf)
                        .ifPresent(w -> {
                            put(worst, impl, w.worstNanos() / 1000.0, Double.NaN);
                            put(over8, impl, w.over8ms() < 0 ? Double.NaN : w.over8ms(), Double.NaN);
                        });
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

    /** The secondary result {@link io.poolkit.bench.ContextSwitchProfiler} reports: every switch of the fork per operation. */
    static final String CTXSW = "ctxsw.total/op";

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

    List<Target> targets() {
        return new Targets(this).all();
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

        md.append("#### Targets (BENCHMARKS.md, \"The targets\")\n\n");
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

        md.append(Tables.overResources(this));
        md.append(Tables.jdbc(this));
        md.append(spikeTable());
        md.append(extras());
        md.append("\n![poolkit and the anchors](").append(chartLink).append(")\n");
        return md.toString();
    }

    static String secondary(Bench b, String name) {
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
        Optional<Bench> fifo = r.find("Contended", "poolkit", 4, "10", Settings.FIFO);
        Optional<Bench> lifo = r.find("Contended", "poolkit", 4, "10", Settings.DEFAULT);
        if (fifo.isPresent()) {
            md.append("\nIdle order FIFO (a claim cursor instead of the per-thread hint), 4 threads on pool 10: ")
                    .append(withError(fifo.get())).append(" ops/µs; LIFO (the default) ")
                    .append(lifo.map(Report::withError).orElse("–")).append(" ops/µs.\n");
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

    private static String withError(Bench b) {
        return fmt(b.score()) + (Double.isNaN(b.error()) ? "" : " ± " + fmt(b.error()));
    }

    static String ns(double v) {
        return fmt(v) + " ns";
    }

    static String us(double v) {
        return fmt(v) + " µs";
    }

    static String ops(double v) {
        return fmt(v) + " ops/µs";
    }
}
