package io.poolkit.bench;

import io.poolkit.bench.pools.PoolkitState;
import io.poolkit.bench.report.Report;
import io.poolkit.bench.spike.Spike;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the whole suite — every JMH scenario for poolkit and each anchor, then the spike harness —
 * and writes {@code jmh.json}, {@code acquire-waits.jsonl}, {@code spike.json}, {@code run.json},
 * {@code report.md} and {@code chart.png} into one directory.
 *
 * <pre>
 * java -cp pool-bench.jar:lib/* io.poolkit.bench.BenchMain smoke|quick|full OUT_DIR [--pools a,b] [--no-spike] [--no-jmh]
 * </pre>
 *
 * <p>{@code pool-bench/run} is the way in: it builds the module, picks the JDK and the output
 * directory, and calls this.
 */
public final class BenchMain {

    /** The pools, by the benchmark method name each one has in every benchmark class. */
    public static final List<String> POOLS = List.of("poolkit", "stormpot", "commonsPool2", "hikariBag", "vibur");

    /** Threads on pool size where threads outnumber resources: DESIGN's targets for bounded fairness. */
    public static final List<int[]> OVERSUBSCRIBED = List.of(new int[] {4, 2}, new int[] {8, 2}, new int[] {16, 4});

    /** The JDBC shapes, threads on connections: more connections than threads, and more threads than connections. */
    public static final List<int[]> JDBC = List.of(new int[] {8, 32}, new int[] {32, 8});

    /** The JVM options of every benchmark fork (the acquire log's path is added to them). */
    public static final List<String> FORK_JVM_ARGS = List.of(
            "-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    /**
     * How long the suite runs.
     *
     * @param forks JVM forks per benchmark
     * @param warmups warm-up iterations
     * @param warmupTime length of one warm-up iteration
     * @param iterations measurement iterations
     * @param iterationTime length of one measurement iteration
     * @param spikeRuns runs of the spike harness per pool
     * @param complete every scenario: the whole fairness sweep, vibur unfair, and what lies outside
     *     the targets (listener, leak detection, Micrometer, FIFO); else only what the targets need
     *     (the sweep's 0, default and FOREVER), to keep a quick run short
     */
    public record Plan(int forks, int warmups, TimeValue warmupTime, int iterations, TimeValue iterationTime, int spikeRuns,
                       boolean complete) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d fork%s, %d x %s warm-up, %d x %s measurement per benchmark; spike %d run%s per pool; %s",
                    forks, forks == 1 ? "" : "s", warmups, warmupTime, iterations, iterationTime, spikeRuns, spikeRuns == 1 ? "" : "s",
                    complete ? "every scenario" : "the scenarios of the targets only (fairness 0, default, FOREVER; no vibur unfair, "
                            + "no listener/leak/Micrometer/FIFO)");
        }

        /** poolkit's fairness values over resources. */
        List<String> sweep() {
            return complete ? PoolkitState.FAIRNESS_SWEEP : List.of("0", PoolkitState.DEFAULT_FAIRNESS, "forever");
        }
    }

    /**
     * smoke: checks the harness end to end, measures nothing (about 6 minutes on 2 cores); quick: the
     * targets' scenarios only (about 12 minutes); full: every scenario, the publishable run.
     */
    public static final Map<String, Plan> PLANS = Map.of(
            "smoke", new Plan(1, 1, TimeValue.milliseconds(200), 1, TimeValue.milliseconds(300), 1, true),
            "quick", new Plan(1, 2, TimeValue.seconds(1), 3, TimeValue.seconds(1), 3, false),
            "full", new Plan(3, 5, TimeValue.seconds(1), 5, TimeValue.seconds(2), 10, true));

    private final String mode;
    private final Plan plan;
    private final Path out;
    private final List<String> pools;
    private final Path acquireLog;
    private final List<RunResult> results = new ArrayList<>();

    private BenchMain(String mode, Path out, List<String> pools) {
        this.mode = mode;
        this.plan = PLANS.get(mode);
        this.out = out;
        this.pools = pools;
        this.acquireLog = out.resolve("acquire-waits.jsonl");
    }

    /**
     * @param args {@code smoke|quick|full OUT_DIR [--pools a,b] [--no-spike] [--no-jmh] [--no-jdbc]}
     * @throws Exception when a benchmark fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !PLANS.containsKey(args[0])) {
            System.err.println("usage: BenchMain smoke|quick|full OUT_DIR [--pools " + String.join(",", POOLS)
                    + "] [--no-spike] [--no-jmh] [--no-jdbc]");
            System.exit(2);
        }
        List<String> pools = POOLS;
        boolean spike = true;
        boolean jmh = true;
        boolean jdbc = true;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--pools" -> {
                    pools = Arrays.asList(args[++i].split(","));
                    for (String p : pools) {
                        if (!POOLS.contains(p)) {
                            throw new IllegalArgumentException("--pools: unknown pool " + p + "; known: " + POOLS);
                        }
                    }
                }
                case "--no-spike" -> spike = false;
                case "--no-jmh" -> jmh = false;
                case "--no-jdbc" -> jdbc = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        new BenchMain(args[0], out, pools).run(jmh, jdbc, spike);
    }

    private void run(boolean jmh, boolean jdbc, boolean spike) throws Exception {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("mode", mode);
        run.put("started", Instant.now().toString());
        run.put("cpu", Host.cpuModel());
        run.put("cores", Runtime.getRuntime().availableProcessors());
        run.put("loadAverageAtStart", Host.loadAverage());
        run.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        run.put("javaHome", System.getProperty("java.home"));
        run.put("forkJvmArgs", String.join(" ", FORK_JVM_ARGS));
        run.put("plan", plan.toString());
        run.put("pools", pools);
        Json.writeTo(out.resolve("run.json"), run);

        if (jmh) {
            Files.deleteIfExists(acquireLog);
            runJmh(jdbc);
            try (PrintStream ps = new PrintStream(new FileOutputStream(out.resolve("jmh.json").toFile()), true, StandardCharsets.UTF_8)) {
                ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(results);
            }
        }
        if (spike) {
            Spike.runAll(pools, plan.spikeRuns(), out.resolve("spike.json"));
        }
        run.put("finished", Instant.now().toString());
        run.put("loadAverageAtEnd", Host.loadAverage());
        Json.writeTo(out.resolve("run.json"), run);
        Report.write(out);
    }

    /**
     * The passes. Threads at most resources: every pool once. Threads over resources (4 on 2, 8 on
     * 2, 16 on 4): the anchors once, poolkit once per value of the fairness sweep (its default among
     * them), for throughput ({@code Contended}) and for every acquire's time ({@code Oversubscribed});
     * both count context switches, the latter with GC and safepoint pauses; and per shape the
     * same timed loop with no pool ({@code Oversubscribed.noPool}), the scheduler's floor under every
     * pool's worst acquire at that thread count. Then the JDBC cycles.
     */
    private void runJmh(boolean jdbc) throws RunnerException {
        String all = String.join("|", pools);
        boolean poolkit = pools.contains("poolkit");
        String anchors = pools.stream().filter(p -> !p.equals("poolkit")).collect(Collectors.joining("|"));
        List<String> sweep = plan.sweep();
        List<String> fair = plan.complete() ? List.of("true", "false") : List.of("true");
        pass("Uncontended", all, 1, Map.of("size", List.of("10"), "config", List.of(Settings.DEFAULT, Settings.TIMED),
                "fair", List.of("true")), false, false);
        if (poolkit && plan.complete()) {
            pass("PoolkitExtras", "poolkit", 1, Map.of("size", List.of("10")), false, false);
        }
        for (int threads : new int[] {2, 4, 8}) {
            pass("Contended", all, threads, Map.of("size", List.of("10"), "config", List.of(Settings.DEFAULT),
                    "fair", List.of("true")), true, false);
        }
        if (poolkit && plan.complete()) {
            pass("Contended", "poolkit", 4, Map.of("size", List.of("10"), "config", List.of(Settings.FIFO)), true, false);
        }
        for (int[] shape : OVERSUBSCRIBED) {
            int threads = shape[0];
            List<String> size = List.of(String.valueOf(shape[1]));
            if (!anchors.isEmpty()) {
                pass("Contended", anchors, threads, Map.of("size", size, "config", List.of(Settings.DEFAULT),
                        "fair", List.of("true")), true, false);
            }
            if (poolkit) {
                pass("Contended", "poolkit", threads, Map.of("size", size, "config", List.of(Settings.DEFAULT),
                        "fairness", sweep), true, false);
            }
            if (!anchors.isEmpty()) {
                pass("Oversubscribed", anchors, threads, Map.of("size", size, "config", List.of(Settings.DEFAULT),
                        "fair", fair), true, true);
            }
            if (poolkit) {
                pass("Oversubscribed", "poolkit", threads, Map.of("size", size, "config", List.of(Settings.DEFAULT),
                        "fairness", sweep), true, true);
            }
            pass("Oversubscribed", "noPool", threads, Map.of(), true, true);
        }
        if (jdbc && poolkit) {
            List<String> jdbcPools = mode.equals("full") ? List.of("poolkit", "hikari", "dbcp2") : List.of("poolkit", "hikari");
            for (int[] shape : JDBC) {
                pass("jdbc.JdbcCycles", "connectionCycle|statementCycle", shape[0],
                        Map.of("pool", jdbcPools, "maxPoolSize", List.of(String.valueOf(shape[1]))), true, false);
            }
        }
    }

    private void pass(String benchmarkClass, String methods, int threads, Map<String, List<String>> params,
                      boolean contextSwitches, boolean pauses) throws RunnerException {
        String include = "^" + BenchMain.class.getPackageName().replace(".", "\\.") + "\\." + benchmarkClass.replace(".", "\\.")
                + "\\.(" + methods + ")$";
        List<String> jvmArgs = new ArrayList<>(FORK_JVM_ARGS);
        jvmArgs.add("-D" + AcquireWaits.LOG_PROPERTY + "=" + acquireLog.toAbsolutePath());
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .forks(plan.forks())
                .warmupIterations(plan.warmups())
                .warmupTime(plan.warmupTime())
                .measurementIterations(plan.iterations())
                .measurementTime(plan.iterationTime())
                .threads(threads)
                .jvmArgs(jvmArgs.toArray(String[]::new))
                .shouldFailOnError(true)
                // The tail passes start each iteration with an empty young generation (JMH's -gc), for every
                // pool alike: what fills it before is warm-up garbage (JMH's own result processing, ~20 MB per
                // fork, and whatever a pool allocates before C2 has compiled its caller: poolkit's leases,
                // which C1 does not eliminate), and its collection, a 4-16 ms safepoint, otherwise lands in
                // the measured window of some forks and not others. A pool that allocates while measured
                // still collects there, and the pause columns show it.
                .shouldDoGC(pauses);
        params.forEach((key, values) -> options.param(key, values.toArray(String[]::new)));
        if (contextSwitches) {
            options.addProfiler(ContextSwitchProfiler.class);
        }
        if (pauses) {
            options.addProfiler(GCProfiler.class).addProfiler(SafepointLogProfiler.class);
        }
        System.out.printf(Locale.ROOT, "%n== pass: %s %s, %d thread(s), %s%s%s%n", benchmarkClass, methods, threads,
                params.entrySet().stream().map(e -> e.getKey() + "=" + String.join(",", e.getValue())).collect(Collectors.joining(" ")),
                contextSwitches ? ", counting context switches" : "", pauses ? ", with -prof gc and the safepoint log" : "");
        results.addAll(new Runner(options.build()).run());
    }

    /** What the run records about the machine. */
    static final class Host {
        private Host() {
        }

        static String cpuModel() {
            try {
                return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                        .filter(l -> l.startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst().orElse("unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }

        static String loadAverage() {
            try {
                String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
                return parts[0] + " " + parts[1] + " " + parts[2];
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
