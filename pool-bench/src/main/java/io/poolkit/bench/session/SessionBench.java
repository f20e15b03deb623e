package io.poolkit.bench.session;

import io.poolkit.session.ExecutionResult;
import io.poolkit.session.Language;
import io.poolkit.session.Limits;
import io.poolkit.session.SecureSession;
import io.poolkit.session.SecureSessionPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sandboxed JShell sessions: cold start to the first result against a warm execute, and executions
 * per second of a {@link SecureSessionPool} of 4 under 16 concurrent callers. The goal (issue 6): a
 * warm execute at least 20x faster than a cold start to first result.
 *
 * <p>A plain program, not JMH: each operation takes milliseconds to a second and crosses a process
 * boundary. Every session is a real worker JVM, in bubblewrap unless {@code --sandbox false} (run
 * {@code .ci/services/bubblewrap.sh} as root first). {@code --language PYTHON} measures Python
 * sessions the same way (the snippet {@code 1 + 1} is valid in both); {@code --language R} R sessions,
 * with {@code --snippet "1 + 1" "[1] 2"} (R prints its value so).
 *
 * <ul>
 * <li><b>cold</b>: {@code SecureSession.builder().start()} then {@code execute("1 + 1")}, a new worker
 *     each time ({@code --cold} runs);
 * <li><b>warm</b>: {@code execute("1 + 1")} on one started session after 20 unmeasured executes
 *     ({@code --warm} runs);
 * <li><b>pool</b>: {@code --callers} threads calling {@code pool.execute("1 + 1")} on a pool of
 *     {@code --size} for {@code --seconds} after a 2 s warm-up.
 * </ul>
 *
 * <pre>
 * sudo bash .ci/services/bubblewrap.sh      # once
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./mvnw -q -Pbench -pl pool-bench -am -DskipTests package
 * java -cp 'pool-bench/target/pool-bench.jar:pool-bench/target/lib/*' io.poolkit.bench.session.SessionBench --cold 10 --warm 500 --seconds 20
 * </pre>
 */
public final class SessionBench {
    private static final Duration T = Duration.ofSeconds(30);
    /** The snippet every measure runs ({@code --snippet}); an empty one measures the round trip without javac. */
    private static String code = "1 + 1";
    /** Its value as jshell shows it. */
    private static String expected = "2";

    private SessionBench() {
    }

    public static void main(String[] args) throws Exception {
        int cold = 10;
        int warm = 500;
        double seconds = 20;
        int size = 4;
        int callers = 16;
        boolean sandbox = true;
        boolean reset = false;
        Language language = Language.JAVA;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cold" -> cold = Integer.parseInt(args[++i]);
                case "--warm" -> warm = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--callers" -> callers = Integer.parseInt(args[++i]);
                case "--sandbox" -> sandbox = Boolean.parseBoolean(args[++i]);
                case "--reset" -> reset = Boolean.parseBoolean(args[++i]);
                case "--language" -> language = Language.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--snippet" -> {
                    code = args[++i];
                    expected = args[++i];
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --cold N --warm N --seconds S --size N --callers N --sandbox true|false --reset true|false"
                        + " --snippet CODE VALUE --language JAVA|PYTHON|R");
            }
        }
        Limits limits = Limits.builder().heap("128m").metaspace("128m").build();
        System.out.printf(Locale.ROOT, "Sandboxed %s sessions (sandbox=%s), snippet `%s`, %s, load average %s%n", language, sandbox,
                code, Runtime.version(), loadAverage());

        double[] coldMs = new double[cold];
        for (int i = 0; i < cold; i++) {
            long start = System.nanoTime();
            try (SecureSession s = SecureSession.builder().language(language).sandbox(sandbox).limits(limits).start()) {
                check(s.execute(code, T));
                coldMs[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        double[] warmMs = new double[warm];
        try (SecureSession s = SecureSession.builder().language(language).sandbox(sandbox).limits(limits).start()) {
            for (int i = 0; i < 20; i++) {
                check(s.execute(code, T));
            }
            for (int i = 0; i < warm; i++) {
                long start = System.nanoTime();
                check(s.execute(code, T));
                warmMs[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        System.out.println();
        System.out.println("| measure | runs | median (ms) | p90 (ms) | min (ms) | max (ms) |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        row("cold start to first result", coldMs);
        row("warm execute", warmMs);
        System.out.printf(Locale.ROOT, "load average %s%n", loadAverage());
        System.out.printf(Locale.ROOT, "%nwarm vs cold (medians): %.1fx faster (goal: at least 20x)%n", median(coldMs) / median(warmMs));

        try (SecureSessionPool pool = SecureSessionPool.builder().language(language).size(size).sandbox(sandbox).limits(limits)
                .resetBetweenUses(reset)
                .build()) {
            run(pool, callers, 2);
            double rate = run(pool, callers, seconds);
            System.out.printf(Locale.ROOT, "%npool of %d, %d callers, resetBetweenUses=%s, %.1f s: %.1f executions/s (%s)%n", size, callers,
                    reset, seconds, rate, pool.status());
        }
    }

    private static void check(ExecutionResult r) {
        if (!r.isSuccess() || !expected.equals(r.value())) {
            throw new IllegalStateException("unexpected result: " + r);
        }
    }

    /** Runs {@code n} callers on {@code pool} for {@code seconds}; returns executions per second. */
    private static double run(SecureSessionPool pool, int n, double seconds) throws InterruptedException {
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try {
                    while (System.nanoTime() < end && failure.get() == null) {
                        check(pool.execute(code, T, T));
                        done.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "caller-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a caller failed", failure.get());
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    private static void row(String what, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f |%n", what, s.length, median(s), s[(int) Math.min(s.length - 1,
                Math.ceil(s.length * 0.9) - 1)], s[0], s[s.length - 1]);
    }

    private static double median(double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
