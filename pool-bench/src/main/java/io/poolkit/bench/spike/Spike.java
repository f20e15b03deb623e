package io.poolkit.bench.spike;

import io.poolkit.bench.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The spike ("welcome to the jungle"): a pool of at most {@value #MAX_SIZE} with {@value #MIN_IDLE}
 * idle objects ready; {@value #THREADS} threads arrive at once, each acquires, uses its object for
 * {@link #USE} and returns it; a create takes {@link #CREATE}. Reported per pool: how many objects
 * were created (the {@value #MIN_IDLE} ready ones included, and the creates the spike started that
 * finished after it) and how long the spike took until the last thread was done.
 *
 * <p>Not JMH: one spike is one measurement, repeated {@code runs} times with a fresh pool.
 */
public final class Spike {
    /** The pools' maximum size. */
    public static final int MAX_SIZE = 50;
    /** Idle objects kept ready before the spike. */
    public static final int MIN_IDLE = 5;
    /** Threads arriving at once. */
    public static final int THREADS = 50;
    /** How long one create takes. */
    public static final Duration CREATE = Duration.ofMillis(150);
    /** How long each thread uses its object. */
    public static final Duration USE = Duration.ofMillis(2);
    /** How long an acquire may wait. */
    static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(30);
    /** After the spike: creates still running are waited for, up to this long. */
    static final Duration SETTLE_LIMIT = Duration.ofSeconds(10);

    private Spike() {
    }

    /**
     * Runs the spike {@code runs} times per pool and writes every run plus a median per pool.
     *
     * @param pools the pools, by benchmark method name
     * @param runs runs per pool
     * @param file where the JSON goes
     * @throws Exception when a run cannot be set up
     */
    public static void runAll(List<String> pools, int runs, Path file) throws Exception {
        Map<String, Object> all = new LinkedHashMap<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("maxSize", MAX_SIZE);
        setup.put("minIdle", MIN_IDLE);
        setup.put("threads", THREADS);
        setup.put("createMillis", CREATE.toMillis());
        setup.put("useMillis", USE.toMillis());
        setup.put("runs", runs);
        all.put("setup", setup);
        Map<String, Object> byPool = new LinkedHashMap<>();
        for (String pool : pools) {
            List<Map<String, Object>> results = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                Map<String, Object> r = runOnce(pool);
                results.add(r);
                System.out.printf(Locale.ROOT, "spike %-13s run %d: %s%n", pool, i + 1, r);
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("createdTotal", median(results, "createdTotal"));
            summary.put("createdBySpikeEnd", median(results, "createdBySpikeEnd"));
            summary.put("spikeMillis", median(results, "spikeMillis"));
            summary.put("worstAcquireMillis", results.stream().mapToDouble(r -> (Double) r.get("worstAcquireMillis")).max().orElse(Double.NaN));
            summary.put("failures", results.stream().mapToLong(r -> (Long) r.get("failures")).sum());
            summary.put("note", SpikeSubjects.note(pool));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("median", summary);
            entry.put("runs", results);
            byPool.put(pool, entry);
        }
        all.put("pools", byPool);
        Json.writeTo(file, all);
    }

    static Map<String, Object> runOnce(String pool) throws Exception {
        SlowFactory factory = new SlowFactory();
        try (SpikeSubjects.Subject subject = SpikeSubjects.open(pool, factory)) {
            subject.awaitReady();
            int before = factory.created();

            CountDownLatch ready = new CountDownLatch(THREADS);
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(THREADS);
            AtomicLong worstWait = new AtomicLong();
            AtomicInteger failures = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                Thread t = new Thread(() -> {
                    ready.countDown();
                    try {
                        go.await();
                        long start = System.nanoTime();
                        Object handle = subject.acquire(ACQUIRE_TIMEOUT);
                        worstWait.accumulateAndGet(System.nanoTime() - start, Math::max);
                        try {
                            sleep(USE);
                        } finally {
                            subject.release(handle);
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        System.err.println("spike " + pool + ": " + e);
                    } finally {
                        done.countDown();
                    }
                }, "spike-" + pool + "-" + i);
                threads.add(t);
                t.start();
            }
            ready.await();
            long start = System.nanoTime();
            go.countDown();
            if (!done.await(2 * ACQUIRE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("spike " + pool + ": threads still running after " + 2 * ACQUIRE_TIMEOUT.toSeconds() + " s");
            }
            long spikeNanos = System.nanoTime() - start;
            int bySpikeEnd = factory.created();
            for (Thread t : threads) {
                t.join();
            }
            factory.awaitQuiet(SETTLE_LIMIT);

            Map<String, Object> r = new LinkedHashMap<>();
            r.put("createdBeforeSpike", (long) before);
            r.put("createdBySpikeEnd", (long) bySpikeEnd);
            r.put("createdTotal", (long) factory.created());
            r.put("spikeMillis", round(spikeNanos / 1e6));
            r.put("worstAcquireMillis", round(worstWait.get() / 1e6));
            r.put("failures", (long) failures.get());
            return r;
        }
    }

    private static double median(List<Map<String, Object>> runs, String key) {
        List<Double> values = runs.stream().map(r -> ((Number) r.get(key)).doubleValue()).sorted(Comparator.naturalOrder()).toList();
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** Sleeps the whole duration even when interrupted (the interrupt is kept). */
    static void sleep(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        boolean interrupted = false;
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The objects' factory for every pool: counts creates, and how many are running. */
    static final class SlowFactory {
        private final AtomicInteger created = new AtomicInteger();
        private final AtomicInteger inFlight = new AtomicInteger();

        io.poolkit.bench.Res create() {
            inFlight.incrementAndGet();
            try {
                sleep(CREATE);
                created.incrementAndGet();
                return new io.poolkit.bench.Res();
            } finally {
                inFlight.decrementAndGet();
            }
        }

        int created() {
            return created.get();
        }

        /** Waits until no create has been running for 300 ms, or the limit passed. */
        void awaitQuiet(Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                if (inFlight.get() > 0) {
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince >= TimeUnit.MILLISECONDS.toNanos(300)) {
                    return;
                }
                Thread.sleep(10);
            }
        }
    }
}
