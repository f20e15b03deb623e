package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.KeyedTestFactory;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestFactory.Behaviour;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The concurrency soak: many more threads than resources, every access path, timeouts, cancels,
 * interrupts and invalidations, against a factory whose every hook fails or stalls at random. At
 * the end every thread has ended, no resource was ever held by two leases or destroyed twice, the
 * counts rule holds exactly, the factory's books balance, and shutdown destroys everything.
 *
 * <p>Reproducible choices: the seed is printed; rerun with {@code -Dsoak.seed=<seed>} (and
 * {@code -Dsoak.millis=<ms>} to run longer). Thread interleavings are not reproducible, the
 * choices each thread makes are.
 */
@Timeout(60)
class PoolSoakTest {
    private static final int THREADS = 24;
    private static final long RUN_MILLIS = Long.getLong("soak.millis", 3500);
    /** An acquire must end by its deadline plus this much, whatever the factory does (generous: 2 cores, 24 threads). */
    private static final long OVERSHOOT_LIMIT_MILLIS = 1000;

    /** Marks a failure in withResource that means "the resource is broken" (matched by invalidateOn). */
    static final class Broken extends RuntimeException {
        Broken() {
            super("chaos: resource broken", null, false, false);
        }
    }

    /** An Error thrown by user code: the resource must be destroyed, the Error rethrown. */
    static final class ChaosError extends Error {
        ChaosError() {
            super("chaos: error in user code", null, false, false);
        }
    }

    /** A hook's failure; without a stack trace, so the pool's WARN logs of it stay one line each. */
    static final class ChaosFailure extends RuntimeException {
        ChaosFailure(String hook) {
            super("chaos: " + hook + " failed", null, false, false);
        }
    }

    /** Someone else completed an async acquire's future. */
    static final class Withdrawn extends RuntimeException {
        Withdrawn() {
            super("chaos: withdrawn by the caller", null, false, false);
        }
    }

    /** One way into a pool, so the same chaos runs against a pool and a keyed pool. */
    interface Access {
        Lease<TestResource> acquire(Random rnd, Duration timeout) throws InterruptedException;

        Optional<Lease<TestResource>> tryAcquire(Random rnd);

        CompletableFuture<Lease<TestResource>> acquireAsync(Random rnd);

        <R> R withResource(Random rnd, ResourceFunction<TestResource, R, Exception> fn) throws Exception;

        /** Something only this kind of pool can do (a keyed pool removes or warms a key). */
        void extra(Random rnd) throws InterruptedException;
    }

    /** What the threads saw, for the report and the checks. */
    static final class Tally {
        final LongAdder leases = new LongAdder();
        final LongAdder timeouts = new LongAdder();
        final LongAdder circuitOpen = new LongAdder();
        final LongAdder interrupted = new LongAdder();
        final LongAdder cancelled = new LongAdder();
        final LongAdder invalidated = new LongAdder();
        final LongAdder interrupts = new LongAdder();
        final LongAccumulator worstOvershootNanos = new LongAccumulator(Math::max, 0);

        @Override
        public String toString() {
            return "leases=" + leases + ", timeouts=" + timeouts + ", circuitOpen=" + circuitOpen + ", interrupted="
                    + interrupted + ", cancelled/withdrawn=" + cancelled + ", invalidated=" + invalidated + ", interrupts sent="
                    + interrupts + ", worst acquire overshoot=" + TimeUnit.NANOSECONDS.toMillis(worstOvershootNanos.get()) + " ms";
        }
    }

    private static long seed() {
        long seed = Long.getLong("soak.seed", System.nanoTime());
        System.out.println("PoolSoakTest seed " + seed + " (rerun with -Dsoak.seed=" + seed + ")");
        return seed;
    }

    /** Makes every hook of {@code f} fail or stall at random; stalls are the factory's behaviour, short. */
    private static void chaos(TestFactory f, Random rnd) {
        f.onCreate = hook(rnd, "create", 0.15, 0.20, 2, 0.02, 80);       // createTimeout 50 ms
        f.onValidate = hook(rnd, "validate", 0.05, 0.10, 1, 0.01, 40);   // validationTimeout 20 ms
        f.onReset = hook(rnd, "reset", 0.05, 0.10, 1, 0.005, 40);
        f.onDestroy = hook(rnd, "destroy", 0.03, 0.20, 2, 0, 0);
    }

    private static void calm(TestFactory f) {
        f.onCreate = Behaviour.normal();
        f.onValidate = Behaviour.normal();
        f.onReset = Behaviour.normal();
        f.onDestroy = Behaviour.normal();
    }

    private static Behaviour hook(Random rnd, String what, double fail, double stall, long maxStallMillis,
                                  double longStall, long longStallMillis) {
        return () -> {
            double x = rnd.nextDouble();
            if (x < fail) {
                throw new ChaosFailure(what);
            } else if (x < fail + stall) {
                LockSupport.parkNanos(1 + (long) (rnd.nextDouble() * TimeUnit.MILLISECONDS.toNanos(maxStallMillis)));
            } else if (x < fail + stall + longStall) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(longStallMillis));
            }
        };
    }

    private static <B extends BuilderBase<B>> B chaoticOptions(B b) {
        return b.maxSize(4).minIdle(1)
                .acquireTimeout(Duration.ofMillis(50))
                .validateAfterIdle(Duration.ZERO)
                .validationTimeout(Duration.ofMillis(20))
                .createTimeout(Duration.ofMillis(50))
                .createRetry(Duration.ofMillis(1), Duration.ofMillis(10))
                .circuitBreaker(8, Duration.ofMillis(20))
                .maxUses(25)
                .idleTimeout(Duration.ofMillis(100))
                .maintenanceInterval(Duration.ofMillis(50))
                .invalidateOn(e -> e instanceof Broken)
                .shutdownTimeout(Duration.ofSeconds(5));
    }

    // ---------------------------------------------------------------- the soaks

    @Test
    void countsStayExactAndNoResourceIsSharedUnderChaos() throws Exception {
        long seed = seed();
        TestFactory factory = new TestFactory();
        chaos(factory, new Random(seed ^ 0x5DEECE66DL));
        Pool<TestResource> pool = chaoticOptions(Pool.builder(factory).name("soak")).build();
        Access access = new Access() {
            @Override
            public Lease<TestResource> acquire(Random rnd, Duration timeout) throws InterruptedException {
                return timeout == null ? pool.acquire() : pool.acquire(timeout);
            }

            @Override
            public Optional<Lease<TestResource>> tryAcquire(Random rnd) {
                return pool.tryAcquire();
            }

            @Override
            public CompletableFuture<Lease<TestResource>> acquireAsync(Random rnd) {
                return pool.acquireAsync();
            }

            @Override
            public <R> R withResource(Random rnd, ResourceFunction<TestResource, R, Exception> fn) throws Exception {
                return pool.withResource(fn);
            }

            @Override
            public void extra(Random rnd) {
            }
        };
        Tally tally = new Tally();
        try {
            soak(seed, access, tally);
            calm(factory);
            Await.until(() -> {
                PoolStats s = pool.stats();
                return s.leased() == 0 && s.creating() == 0 && s.destroying() == 0 && s.waiting() == 0 && s.idle() == 1;
            }, () -> {
                Threads.dumpThreads();
                return "pool to settle at minIdle with nothing leased (stacks dumped above): " + pool.stats();
            });
            PoolStats s = PoolChecks.assertBooksBalance(pool::stats, factory);
            System.out.println("PoolSoakTest seed " + seed + ": " + tally + "; " + s);
            assertThat(s.acquired()).as("the soak did real work").isGreaterThan(1000);
            assertThat(factory.hookThreads()).as("create and destroy ran on the pool's workers only")
                    .allSatisfy(t -> assertThat(t.getName()).startsWith("soak-"));
            assertThat(pool.shutdown(Duration.ofSeconds(5))).as("nothing leased at shutdown").isTrue();
            // A create abandoned at createTimeout (chaos makes some take 80 ms) is not waited for by
            // shutdown; when its create() returns, its resource is destroyed as CREATE_TIMEOUT
            Await.until(() -> pool.stats().size() == 0, () -> "late creates destroyed after shutdown: " + pool.stats());
            PoolStats end = pool.stats();
            assertThat(end.size()).isZero();
            assertThat(end.created()).as("every created resource destroyed: %s", end).isEqualTo(end.destroyed());
            assertThat(factory.alive()).isEmpty();
            assertThat(factory.destroyed()).isEqualTo(factory.created());
            assertThat(factory.doubleDestroys()).isZero();
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + " (" + tally + "): " + e.getMessage(), e);
        } finally {
            calm(factory);
            pool.shutdown(Duration.ZERO);
        }
    }

    @Test
    void keyedPoolStaysExactUnderChaosAcrossKeysBelowMaxTotal() throws Exception {
        long seed = seed();
        List<String> keys = List.of("k0", "k1", "k2");
        KeyedTestFactory<String> factory = new KeyedTestFactory<>();
        Random hooks = new Random(seed ^ 0x5DEECE66DL);
        keys.forEach(k -> chaos(factory.of(k), hooks));
        // 3 keys x maxSize 4 = 12 > maxTotal 7: keys keep taking resources from each other
        KeyedPool<String, TestResource> pool = chaoticOptions(KeyedPool.builder(factory).name("ksoak")).maxTotal(7).build();
        Access access = new Access() {
            private String key(Random rnd) {
                return keys.get(rnd.nextInt(keys.size()));
            }

            @Override
            public Lease<TestResource> acquire(Random rnd, Duration timeout) throws InterruptedException {
                return timeout == null ? pool.acquire(key(rnd)) : pool.acquire(key(rnd), timeout);
            }

            @Override
            public Optional<Lease<TestResource>> tryAcquire(Random rnd) {
                return pool.tryAcquire(key(rnd));
            }

            @Override
            public CompletableFuture<Lease<TestResource>> acquireAsync(Random rnd) {
                return pool.acquireAsync(key(rnd));
            }

            @Override
            public <R> R withResource(Random rnd, ResourceFunction<TestResource, R, Exception> fn) throws Exception {
                return pool.withResource(key(rnd), fn);
            }

            @Override
            public void extra(Random rnd) throws InterruptedException {
                if (rnd.nextInt(10) == 0) {
                    pool.remove(key(rnd));
                } else {
                    pool.warmUp(key(rnd), 1);
                }
            }
        };
        Tally tally = new Tally();
        try {
            soak(seed, access, tally);
            keys.forEach(k -> calm(factory.of(k)));
            Await.until(() -> {
                PoolStats s = pool.stats();
                return s.leased() == 0 && s.creating() == 0 && s.destroying() == 0 && s.waiting() == 0
                        && pool.keys().stream().allMatch(k -> pool.stats(k).idle() == 1);
            }, () -> {
                Threads.dumpThreads();
                StringBuilder b = new StringBuilder("every key to settle at minIdle with nothing leased (stacks dumped above): ")
                        .append(pool.stats());
                for (String k : keys) {
                    b.append("\n  ").append(k).append(pool.keys().contains(k) ? "" : " (removed)").append(": ").append(pool.stats(k));
                }
                return b.toString();
            });
            PoolStats s = factory.assertBooksBalance(pool);
            System.out.println("PoolSoakTest keyed seed " + seed + ": " + tally + "; " + s);
            assertThat(s.acquired()).as("the soak did real work").isGreaterThan(1000);
            assertThat(s.size()).as("maxTotal held").isLessThanOrEqualTo(7);
            assertThat(pool.shutdown(Duration.ofSeconds(5))).as("nothing leased at shutdown").isTrue();
            // A create abandoned at createTimeout (chaos makes some take 80 ms) is not waited for by
            // shutdown; when its create() returns, its resource is destroyed as CREATE_TIMEOUT
            Await.until(() -> pool.stats().size() == 0, () -> "late creates destroyed after shutdown: " + pool.stats());
            PoolStats end = pool.stats();
            assertThat(end.size()).isZero();
            assertThat(end.created()).as("every created resource destroyed: %s", end).isEqualTo(end.destroyed());
            assertThat(factory.alive()).isEmpty();
            assertThat(factory.destroyed()).isEqualTo(factory.created());
            assertThat(factory.doubleDestroys()).isZero();
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + " (" + tally + "): " + e.getMessage(), e);
        } finally {
            keys.forEach(k -> calm(factory.of(k)));
            pool.shutdown(Duration.ZERO);
        }
    }

    // ---------------------------------------------------------------- what the soak found, made deterministic

    /**
     * Found by the soak (a test thread spinning in {@code acquireSlow -> checkout -> admit} long after
     * its deadline). Once the deadline has passed, validating an idle resource gets a zero bound, so
     * the slot is given back and checkout fails; acquireSlow then claims the same idle slot again
     * without looking at the deadline, for ever.
     */
    @Test
    void acquirePastItsDeadlineEndsEvenWhenTheIdleResourceStillNeedsValidation() throws Exception {
        ManualClock clock = new ManualClock();
        TestFactory factory = new TestFactory();
        Pool<TestResource> pool = Pool.builder(factory).maxSize(3).validateAfterIdle(Duration.ZERO)
                .ticker(clock).scheduler(clock).build();
        try {
            assertThat(pool.warmUp(3)).isEqualTo(3);
            AtomicInteger validations = new AtomicInteger();
            factory.onValidate = () -> {
                if (validations.incrementAndGet() <= 2) { // two slow, failing checks use up the acquire's time
                    clock.advance(Duration.ofSeconds(1));
                    throw new IllegalStateException("slow and broken");
                }
            };
            Object outcome = acquireOnItsOwnThread(() -> {
                try (Lease<TestResource> l = pool.acquire(Duration.ofMillis(100))) {
                    return l.get();
                }
            });
            assertThat(outcome).as("acquire(100 ms) ends: a timeout, or the last resource if it is checked in time")
                    .isInstanceOfAny(PoolTimeoutException.class, TestResource.class);
            PoolChecks.assertBooksBalance(pool::stats, factory);
        } finally {
            pool.shutdown(Duration.ZERO);
        }
    }

    /**
     * The same flaw on the async path: a lease handed to an async waiter after its deadline fails its
     * zero-bound check, the waiter re-queues at the head, gets the same slot again, and so on, one
     * task after another on the async executor (with the common pool at parallelism 1 its own queue
     * is LIFO, so the deadline's completion task never runs: in the soak every async acquire hung).
     * Here the timer is simply late (a scheduler that never fires), which is enough to show it.
     */
    @Test
    void asyncAcquireHandedALeasePastItsDeadlineEndsInsteadOfCyclingOnTheExecutor() throws Exception {
        ManualClock clock = new ManualClock();
        TestFactory factory = new TestFactory();
        ExecutorService async = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "soak-async");
            t.setDaemon(true);
            return t;
        });
        Pool<TestResource> pool = Pool.builder(factory).maxSize(1).validateAfterIdle(Duration.ZERO)
                .acquireTimeout(Duration.ofMillis(100)).asyncExecutor(async)
                .ticker(clock).scheduler((task, delay) -> () -> { }).build();
        try {
            Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
            CompletableFuture<Lease<TestResource>> f = pool.acquireAsync();
            Await.until(() -> pool.stats().waiting() == 1, () -> "queued: " + pool.stats());
            clock.advance(Duration.ofSeconds(1)); // past the waiter's deadline; its timer is late
            held.close();                         // handed to the waiter, which must now end
            try {
                Lease<TestResource> late = f.get(3, TimeUnit.SECONDS);
                late.close(); // a valid resource handed over in time would be acceptable too
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(PoolTimeoutException.class);
            } catch (TimeoutException e) {
                Threads.dumpThreads();
                throw new AssertionError("the async acquire did not end within 3 s of its handed-over lease: "
                        + pool.stats() + " (stacks dumped above; see soak-async)");
            }
            PoolChecks.assertBooksBalance(pool::stats, factory);
        } finally {
            pool.shutdown(Duration.ZERO); // closing the gate ends the cycle
            async.shutdownNow();
        }
    }

    /** Runs {@code body} on a fresh thread for at most 5 s; a thread still running is dumped, interrupted, and fails the test. */
    private static Object acquireOnItsOwnThread(Callable<Object> body) throws InterruptedException {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                outcome.set(body.call());
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "acquirer");
        t.setDaemon(true);
        t.start();
        t.join(5000);
        if (t.isAlive()) {
            Threads.dumpThreads();
            t.interrupt(); // stops the spin, so it does not burn a core for the next tests
            t.join(1000);
            throw new AssertionError("the acquire was still running 5 s later (stacks dumped above, see \"acquirer\"); it ended with "
                    + outcome.get() + " only once interrupted");
        }
        return outcome.get();
    }

    // ---------------------------------------------------------------- the chaos

    private static void soak(long seed, Access access, Tally tally) throws InterruptedException {
        AtomicReferenceArray<Thread> threads = new AtomicReferenceArray<>(THREADS);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MILLIS);
        try {
            Threads.run(THREADS, Duration.ofMillis(RUN_MILLIS).plusSeconds(10), i -> {
                threads.set(i, Thread.currentThread());
                Random rnd = new Random(seed * 31 + i);
                try {
                    while (System.nanoTime() - deadline < 0) {
                        try {
                            step(rnd, access, tally, threads);
                        } catch (InterruptedException e) {
                            tally.interrupted.increment();
                        }
                    }
                } finally {
                    threads.set(i, null);
                    Thread.interrupted();
                }
            });
        } finally {
            // a thread still running at the limit (a hang or a spin) is stopped, so it does not burn a core for the next tests
            for (int i = 0; i < THREADS; i++) {
                Thread t = threads.get(i);
                if (t != null) {
                    t.interrupt();
                }
            }
        }
    }

    private static void step(Random rnd, Access access, Tally tally, AtomicReferenceArray<Thread> threads)
            throws Exception {
        int op = rnd.nextInt(100);
        try {
            if (op < 25) {
                Duration timeout = Duration.ofMillis(rnd.nextInt(20));
                long start = System.nanoTime();
                try (Lease<TestResource> l = access.acquire(rnd, timeout)) {
                    use(l, rnd, tally);
                } finally {
                    noteOvershoot(tally, start, timeout);
                }
            } else if (op < 33) {
                try (Lease<TestResource> l = access.acquire(rnd, Duration.ZERO)) {
                    use(l, rnd, tally);
                }
            } else if (op < 41) {
                Optional<Lease<TestResource>> l = access.tryAcquire(rnd);
                if (l.isPresent()) {
                    try (Lease<TestResource> lease = l.get()) {
                        use(lease, rnd, tally);
                    }
                }
            } else if (op < 61) {
                async(rnd, access, tally);
            } else if (op < 65) {
                Thread t = threads.get(rnd.nextInt(THREADS));
                if (t != null && t != Thread.currentThread()) {
                    t.interrupt();
                    tally.interrupts.increment();
                }
            } else if (op < 73) {
                Lease<TestResource> l = access.acquire(rnd, Duration.ofMillis(rnd.nextInt(20)));
                try {
                    use(l, rnd, tally);
                } finally {
                    l.invalidate();
                    tally.invalidated.increment();
                    l.close(); // a no-op after invalidate
                }
            } else if (op < 88) {
                withResource(rnd, access, tally);
            } else if (op < 98) {
                long start = System.nanoTime();
                try (Lease<TestResource> l = access.acquire(rnd, null)) {
                    use(l, rnd, tally);
                    LockSupport.parkNanos(rnd.nextInt(1_000_000));
                } finally {
                    noteOvershoot(tally, start, Duration.ofMillis(50));
                }
            } else {
                access.extra(rnd);
            }
        } catch (PoolTimeoutException e) {
            tally.timeouts.increment();
        } catch (CircuitOpenException e) {
            tally.circuitOpen.increment();
        }
    }

    private static void noteOvershoot(Tally tally, long start, Duration timeout) {
        long over = System.nanoTime() - start - timeout.toNanos();
        tally.worstOvershootNanos.accumulate(over);
        if (over > TimeUnit.MILLISECONDS.toNanos(OVERSHOOT_LIMIT_MILLIS)) {
            throw new AssertionError("an acquire with timeout " + timeout.toMillis() + " ms took "
                    + TimeUnit.NANOSECONDS.toMillis(over + timeout.toNanos()) + " ms (rule 1: it ends by its deadline)");
        }
    }

    /** Uses the resource exclusively for a moment; enter() fails if another lease holds it too. */
    private static void use(Lease<TestResource> lease, Random rnd, Tally tally) {
        tally.leases.increment();
        TestResource r = lease.get();
        r.enter();
        try {
            int work = rnd.nextInt(8);
            if (work == 0) {
                LockSupport.parkNanos(rnd.nextInt(200_000));
            } else if (work == 1 && rnd.nextInt(20) == 0) {
                r.breakIt(); // fails validation at its next acquire
            } else {
                Thread.onSpinWait();
            }
        } finally {
            r.exit();
        }
    }

    private static void async(Random rnd, Access access, Tally tally) throws InterruptedException {
        CompletableFuture<Lease<TestResource>> f = access.acquireAsync(rnd);
        switch (rnd.nextInt(5)) {
            case 0 -> {
                if (rnd.nextBoolean()) {
                    LockSupport.parkNanos(rnd.nextInt(2_000_000));
                }
                f.cancel(rnd.nextBoolean());
            }
            case 1 -> f.orTimeout(1 + rnd.nextInt(10), TimeUnit.MILLISECONDS);
            case 2 -> {
                LockSupport.parkNanos(rnd.nextInt(3_000_000));
                f.completeExceptionally(new Withdrawn());
            }
            default -> {
            }
        }
        Lease<TestResource> lease;
        try {
            lease = f.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            abandon(f);
            throw e;
        } catch (CancellationException e) {
            tally.cancelled.increment();
            return;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PoolTimeoutException) {
                tally.timeouts.increment();
            } else if (cause instanceof CircuitOpenException) {
                tally.circuitOpen.increment();
            } else if (cause instanceof TimeoutException || cause instanceof Withdrawn) {
                tally.cancelled.increment();
            } else {
                throw new AssertionError("acquireAsync failed with an unexpected exception", cause);
            }
            return;
        } catch (TimeoutException e) {
            abandon(f);
            Threads.dumpThreads();
            throw new AssertionError("acquireAsync did not complete within 5 s though acquireTimeout is 50 ms (stacks dumped above)");
        }
        try {
            use(lease, rnd, tally);
        } finally {
            lease.close();
        }
    }

    /** Withdraws a future nobody will read; a lease it got anyway goes straight back. */
    private static void abandon(CompletableFuture<Lease<TestResource>> f) {
        f.cancel(false);
        f.thenAccept(Lease::close);
    }

    private static void withResource(Random rnd, Access access, Tally tally) throws Exception {
        int kind = rnd.nextInt(4);
        AtomicLong seen = new AtomicLong();
        try {
            int id = access.withResource(rnd, r -> {
                r.enter();
                try {
                    tally.leases.increment();
                    seen.set(r.id());
                    switch (kind) {
                        case 1 -> throw new Broken();
                        case 2 -> throw new IOException("chaos: harmless failure");
                        case 3 -> throw new ChaosError();
                        default -> {
                            return r.id();
                        }
                    }
                } finally {
                    r.exit();
                }
            });
            assertThat((long) id).isEqualTo(seen.get());
        } catch (Broken | ChaosError e) {
            tally.invalidated.increment();
        } catch (IOException e) {
            // rethrown unwrapped; the resource went back
        }
    }
}
