package io.poolkit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One shape where threads outnumber resources, run in many forks, each fork's figure printed on its
 * own: on 2 cores a fork settles into one of two regimes for its whole life (at 4 threads on 2, some
 * forks run at 60-90 ops/µs, others at 150-200, for poolkit and the bag alike), so one fork, which is
 * what {@code pool-bench/run quick} has per benchmark, is a draw from that spread, not a verdict.
 * {@code Contended}: each fork's mean throughput; {@code Oversubscribed}: each fork's worst acquire
 * and acquires over 8 ms ({@link AcquireWaits}), {@code noPool} (the scheduler's floor) included.
 *
 * <pre>
 * java -cp pool-bench.jar:lib/* io.poolkit.bench.ForkSpread Contended|Oversubscribed THREADS SIZE FORKS METHOD[,METHOD...]
 * </pre>
 *
 * <p>Warm-up 2 x 1 s, measurement 3 x 1 s per fork, poolkit at its default fairness; JVM options as
 * in {@link BenchMain}. The acquire log goes to a temporary file, removed at the end.
 */
public final class ForkSpread {
    private ForkSpread() {
    }

    /**
     * @param args {@code Contended|Oversubscribed THREADS SIZE FORKS METHOD[,METHOD...]}
     * @throws Exception when a benchmark fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 5 || !(args[0].equals("Contended") || args[0].equals("Oversubscribed"))) {
            System.err.println("usage: ForkSpread Contended|Oversubscribed THREADS SIZE FORKS METHOD[,METHOD...]");
            System.exit(2);
        }
        String cls = args[0];
        int threads = positive("THREADS", args[1]);
        int size = positive("SIZE", args[2]);
        int forks = positive("FORKS", args[3]);
        List<String> lines = new ArrayList<>();
        for (String method : args[4].split(",")) {
            lines.add(run(cls, threads, size, forks, method));
        }
        System.out.printf(Locale.ROOT, "%n%s, %d threads on %d, %d forks (load average %s):%n", cls, threads, size, forks,
                BenchMain.Host.loadAverage());
        lines.forEach(System.out::println);
    }

    private static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive whole number, got '" + value + "'");
    }

    private static String run(String cls, int threads, int size, int forks, String method) throws RunnerException, IOException {
        Path log = Files.createTempFile("poolbench-spread", ".jsonl");
        try {
            List<String> jvmArgs = new ArrayList<>(BenchMain.FORK_JVM_ARGS);
            jvmArgs.add("-D" + AcquireWaits.LOG_PROPERTY + "=" + log.toAbsolutePath());
            OptionsBuilder options = new OptionsBuilder();
            options.include("^" + ForkSpread.class.getPackageName().replace(".", "\\.") + "\\." + cls + "\\." + method + "$")
                    .forks(forks).warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(1))
                    .threads(threads).jvmArgs(jvmArgs.toArray(String[]::new)).shouldFailOnError(true)
                    .shouldDoGC(cls.equals("Oversubscribed")); // as BenchMain's tail passes: see BenchMain.pass
            if (!method.equals("noPool")) {
                options.param("size", String.valueOf(size));
            }
            RunResult result = new Runner(options.build()).runSingle();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-10s", method));
            if (cls.equals("Contended")) {
                line.append(" ops/µs per fork:");
                for (BenchmarkResult fork : result.getBenchmarkResults()) {
                    double sum = 0;
                    int n = 0;
                    for (IterationResult it : fork.getIterationResults()) {
                        sum += it.getPrimaryResult().getScore();
                        n++;
                    }
                    line.append(String.format(Locale.ROOT, " %.0f", sum / n));
                }
                line.append(String.format(Locale.ROOT, "  (all forks %.1f ± %.1f)", result.getPrimaryResult().getScore(),
                        result.getPrimaryResult().getScoreError()));
            } else {
                line.append(waitsPerFork(log, threads));
            }
            return line.toString();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The acquire log holds one line per thread, a fork's threads together: each fork's worst and count over 8 ms. */
    @SuppressWarnings("unchecked")
    private static String waitsPerFork(Path log, int threads) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        StringBuilder worst = new StringBuilder(" worst acquire per fork (ms):");
        StringBuilder over8 = new StringBuilder(" over 8 ms:");
        double[] worsts = new double[(lines.size() + threads - 1) / threads];
        for (int f = 0; f * threads < lines.size(); f++) {
            long w = 0;
            long o = 0;
            for (String l : lines.subList(f * threads, Math.min(lines.size(), (f + 1) * threads))) {
                Map<String, Object> m = (Map<String, Object>) Json.parse(l);
                w = Math.max(w, (long) Json.number(m.get("worstNanos")));
                o += (long) Json.number(m.get("over8ms"));
            }
            worsts[f] = w / 1e6;
            worst.append(String.format(Locale.ROOT, " %.1f", w / 1e6));
            over8.append(' ').append(o);
        }
        Arrays.sort(worsts);
        return worst + over8.toString() + String.format(Locale.ROOT, "  (median worst %.1f ms)",
                worsts.length == 0 ? Double.NaN : worsts[worsts.length / 2]);
    }
}
