package io.poolkit.stress;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.KeyedPool;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolException;
import io.poolkit.PoolStats;
import io.poolkit.ResourceFactory;
import io.poolkit.internal.GateProbe;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.KeyedTestFactory;
import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * BOUNDED-FAIRNESS.md §2 test 6, in plain Java on real threads: a tiny pool under more callers than
 * resources, with short timeouts, interrupts, asynchronous acquires that are cancelled or time out,
 * double closes, invalidations, resizes, evictions and suspend/resume all at once. Fairness is short
 * enough (10 µs) that the pool flips between rule 5's normal and hand-off modes all the time, on the
 * fast return and the slow one (reset hook) and on a keyed pool; ZERO (strict hand-off) and the
 * default (1 ms) run too.
 *
 * <p>What must hold: no resource is ever held by two leases ({@link TestResource#enter()} counts
 * holders); every acquire given a long timeout is served well before it (a lost wake-up that strands
 * a waiter while a resource is idle shows here as a wait of seconds); and at rest, once the callers
 * have stopped, the counts rule holds with nothing leased, nobody waiting, and neither the HANDOFF
 * bit nor the WOKEN token left behind; the pool then serves at once and shuts down clean, every
 * resource destroyed exactly once. Each run lasts 8 s ({@code -Dpoolkit.stress.seconds=N}). The
 * keyed run found a waiter left parked until its deadline with a resource already handed to it
 * ({@code HandOffAtTheThresholdTest}): two runs in two before that fix.
 */
@Timeout(600)
class BoundedFairnessStressTest {
    private static final Duration RUN = Duration.ofSeconds(Long.getLong("poolkit.stress.seconds", 8));
    /** A caller with a long timeout that waits this long was stranded (the bound is loose: the machine is shared). */
    private static final Duration STRANDED = Duration.ofSeconds(5);

    @Test
    void fastReturnFairness10us() throws Exception {
        run(Duration.ofNanos(10_000), false);
    }

    @Test
    void slowReturnFairness10us() throws Exception {
        run(Duration.ofNanos(10_000), true);
    }

    @Test
    void fastReturnFairnessZero() throws Exception {
        run(Duration.ZERO, false);
    }

    @Test
    void fastReturnDefaultFairness() throws Exception {
        run(Duration.ofMillis(1), false);
    }

    /**
     * The same load on a keyed pool whose total is smaller than its keys' sizes, so keys starve and
     * take resources from each other (PEER_STARVED, evictions for a key) while rule 5 runs per key.
     * A key's patient caller must not wait seconds: that would be a key stranded by the cross-key
     * protocol. At rest: no waiter anywhere (also in the keyed pool's global count), no mode bit,
     * token or starvation flag left, and the counts rule on every key.
     */
    @Test
    void keyedPoolUnderMaxTotalFairness10us() throws Exception {
        KeyedTestFactory<String> factory = new KeyedTestFactory<>();
        List<String> keys = List.of("a", "b", "c");
        KeyedPool<String, TestResource> pool = KeyedPool.builder(factory).maxSize(2).maxTotal(3)
                .fairness(Duration.ofNanos(10_000)).acquireTimeout(Duration.ofSeconds(60)).build();
        Crew crew = new Crew();
        AtomicLong served = new AtomicLong();
        AtomicLong worstLongWait = new AtomicLong();
        List<Thread> impatient = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            boolean patient = i < 3; // one per key, with a long timeout: never stranded
            String home = keys.get(i % 3);
            Thread t = crew.start("keyed-caller-" + i, () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (!crew.stop.get()) {
                    String key = patient ? home : keys.get(rnd.nextInt(keys.size()));
                    Lease<TestResource> lease;
                    long t0 = System.nanoTime();
                    try {
                        if (patient) {
                            lease = pool.acquire(key, Duration.ofSeconds(60));
                            worstLongWait.accumulateAndGet(System.nanoTime() - t0, Math::max);
                        } else if (rnd.nextInt(5) == 0) {
                            lease = pool.tryAcquire(key).orElse(null);
                        } else {
                            lease = pool.acquire(key, Duration.ofNanos(rnd.nextLong(1, 3_000_000)));
                        }
                    } catch (InterruptedException | PoolException e) {
                        continue; // the interrupter's doing, a timeout, or maxWaiters
                    }
                    if (lease == null) {
                        continue;
                    }
                    served.incrementAndGet();
                    use(lease);
                    if (rnd.nextInt(20) == 0) {
                        lease.invalidate();
                    } else {
                        lease.close();
                    }
                    Thread.interrupted();
                }
            });
            if (!patient) {
                impatient.add(t);
            }
        }
        crew.interrupter(impatient);
        crew.runThenStop(() -> keyedState(pool, keys));
        crew.rethrowFailures();
        try {
            assertThat(served.get()).as("leases served").isPositive();
            assertThat(Duration.ofNanos(worstLongWait.get())).as("worst wait of a key's patient caller").isLessThan(STRANDED);
            Await.until(Duration.ofSeconds(10), () -> GateProbe.sharedWaiters(pool) == 0 && !GateProbe.starving(pool)
                            && keys.stream().allMatch(k -> (GateProbe.gate(pool, k) & ~GateProbe.SHRINK) == 0 || GateProbe.gate(pool, k) == -1),
                    () -> "at rest, no waiter and no bit on any key: " + keyedState(pool, keys));
            for (String k : keys) {
                PoolStats st = PoolChecks.assertCountsRule(() -> pool.stats(k));
                assertThat(st.leased()).as("nothing leased at rest on %s: %s", k, st).isZero();
                try (Lease<TestResource> l = pool.acquire(k, Duration.ofSeconds(10))) {
                    l.get().touch();
                }
            }
            PoolStats total = PoolChecks.assertCountsRule(pool::stats);
            assertThat(total.size()).as("maxTotal holds at rest: %s", total).isLessThanOrEqualTo(3);
        } finally {
            assertThat(pool.shutdown(Duration.ofSeconds(10))).as("every lease was back for shutdown").isTrue();
        }
        PoolStats end = pool.stats();
        assertThat(end.size()).as("nothing left after shutdown: %s", end).isZero();
        assertThat(end.created()).isEqualTo(end.destroyed());
        for (String k : keys) {
            assertThat(factory.of(k).doubleDestroys()).as("resources of %s destroyed twice", k).isZero();
            assertThat(factory.of(k).alive()).as("resources of %s alive after shutdown", k).isEmpty();
        }
        System.out.printf("keyed stress: %d served, worst patient wait %.1f ms, %s%n", served.get(), worstLongWait.get() / 1e6, end);
    }

    private static String keyedState(KeyedPool<String, TestResource> pool, List<String> keys) {
        StringBuilder b = new StringBuilder();
        for (String k : keys) {
            b.append(k).append(": ").append(GateProbe.describe(GateProbe.gate(pool, k))).append(' ').append(pool.stats(k).brief()).append("; ");
        }
        return b.append("shared waiters ").append(GateProbe.sharedWaiters(pool)).append(", starving ").append(GateProbe.starving(pool)).toString();
    }

    /** A factory with no reset or validation, so every close takes the fast return (one release store). */
    static final class Books implements ResourceFactory<TestResource> {
        final AtomicInteger ids = new AtomicInteger();
        final Set<TestResource> alive = ConcurrentHashMap.newKeySet();
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger destroyed = new AtomicInteger();
        final AtomicInteger destroyedTwice = new AtomicInteger();

        @Override
        public TestResource create() {
            TestResource r = new TestResource(ids.incrementAndGet());
            alive.add(r);
            created.incrementAndGet();
            return r;
        }

        @Override
        public void destroy(TestResource r) {
            if (!alive.remove(r)) {
                destroyedTwice.incrementAndGet();
            }
            destroyed.incrementAndGet();
        }
    }

    private void run(Duration fairness, boolean slowReturn) throws Exception {
        Books books = new Books();
        TestFactory hooks = new TestFactory();
        Pool<TestResource> pool = slowReturn
                ? Pool.builder(hooks).maxSize(4).fairness(fairness).acquireTimeout(Duration.ofSeconds(60)).build()
                : Pool.builder(books).maxSize(4).fairness(fairness).acquireTimeout(Duration.ofSeconds(60)).build();
        Crew crew = new Crew();
        ConcurrentLinkedQueue<CompletableFuture<?>> asyncs = new ConcurrentLinkedQueue<>();
        AtomicLong served = new AtomicLong();
        AtomicLong timeouts = new AtomicLong();
        AtomicLong worstLongWait = new AtomicLong();
        List<Thread> impatient = new ArrayList<>();
        pool.warmUp(2);
        for (int i = 0; i < 8; i++) {
            boolean patient = i < 2; // two callers with long timeouts: they must never be stranded
            Thread t = crew.start("caller-" + i, () -> {
                while (!crew.stop.get()) {
                    caller(pool, patient, served, timeouts, worstLongWait);
                }
            });
            if (!patient) {
                impatient.add(t);
            }
        }
        for (int i = 0; i < 2; i++) {
            crew.start("async-" + i, () -> {
                while (!crew.stop.get()) {
                    asyncCaller(pool, asyncs, crew.failures, worstLongWait);
                }
            });
        }
        crew.interrupter(impatient);
        crew.start("admin", () -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (!crew.stop.get()) {
                int what = rnd.nextInt(10);
                if (what < 5) {
                    pool.resize(1 + rnd.nextInt(4));
                } else if (what < 8) {
                    pool.evictIdle();
                } else {
                    pool.suspend();
                    LockSupport.parkNanos(rnd.nextLong(50_000, 500_000));
                    pool.resume();
                }
                LockSupport.parkNanos(rnd.nextLong(500_000, 3_000_000));
            }
            pool.resize(4);
            pool.resume();
        });
        crew.runThenStop(() -> GateProbe.describe(pool) + " " + pool.stats());
        for (CompletableFuture<?> f : asyncs) {
            try {
                f.get(30, TimeUnit.SECONDS); // every async acquire ends: served, timed out or cancelled
            } catch (java.util.concurrent.ExecutionException | CancellationException expected) {
                // a timeout, a cancel, a pool exception: all allowed
            } catch (TimeoutException e) {
                crew.failures.add(new AssertionError("an asynchronous acquire never ended: " + pool.stats()));
            }
        }
        crew.rethrowFailures();
        assertThat(served.get()).as("leases served").isPositive();
        assertThat(Duration.ofNanos(worstLongWait.get())).as("worst wait of a caller with a long timeout").isLessThan(STRANDED);

        // at rest: nobody waits, no mode bit or token is left behind, the counts rule holds
        Await.until(Duration.ofSeconds(10), () -> pool.stats().waiting() == 0 && !GateProbe.handOff(pool) && !GateProbe.woken(pool),
                () -> "at rest, no waiter, no HANDOFF, no WOKEN: " + GateProbe.describe(pool) + " " + pool.stats());
        PoolStats rest = PoolChecks.assertCountsRule(pool::stats);
        assertThat(rest.leased()).as("nothing leased at rest: %s", rest).isZero();
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(10))) {
            l.get().touch(); // the pool still serves
        }
        assertThat(pool.shutdown(Duration.ofSeconds(10))).as("every lease was back for shutdown").isTrue();
        PoolStats end = pool.stats();
        assertThat(end.size()).as("nothing left after shutdown: %s", end).isZero();
        assertThat(end.created()).isEqualTo(end.destroyed());
        if (slowReturn) {
            assertThat(hooks.doubleDestroys()).as("resources destroyed twice").isZero();
            assertThat(hooks.alive()).as("resources alive after shutdown").isEmpty();
            assertThat((long) hooks.created()).isEqualTo(end.created());
        } else {
            assertThat(books.destroyedTwice.get()).as("resources destroyed twice").isZero();
            assertThat(books.alive).as("resources alive after shutdown").isEmpty();
            assertThat((long) books.created.get()).isEqualTo(end.created());
        }
        System.out.printf("stress fairness=%s slowReturn=%s: %d served, %d timeouts, worst patient wait %.1f ms, %s%n",
                fairness, slowReturn, served.get(), timeouts.get(), worstLongWait.get() / 1e6, end);
    }

    /** The threads of one run: started together, stopped together, their failures collected. */
    private static final class Crew {
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();

        Thread start(String name, Runnable body) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, name);
            t.setDaemon(true);
            threads.add(t);
            t.start();
            return t;
        }

        /**
         * Lets the crew run for {@link #RUN} (less if one fails), then stops it and checks every
         * thread ended; a thread still running is stranded: the stacks and {@code state} say where.
         */
        void runThenStop(Supplier<String> state) throws InterruptedException {
            try {
                long end = System.nanoTime() + RUN.toNanos();
                while (System.nanoTime() < end && failures.isEmpty()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
            } finally {
                stop.set(true);
                for (Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                }
            }
            for (Thread t : threads) {
                if (t.isAlive()) {
                    Threads.dumpThreads();
                    throw new AssertionError(t.getName() + " still running 30 s after the stop (stacks above): " + state.get());
                }
            }
        }

        void rethrowFailures() {
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError(failures.size() + " failure(s); first: " + failures.peek(), failures.peek());
                failures.stream().skip(1).limit(5).forEach(e::addSuppressed);
                throw e;
            }
        }

        /** Interrupts one of {@code targets} now and then, until stopped. */
        void interrupter(List<Thread> targets) {
            start("interrupter", () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (!stop.get()) {
                    targets.get(rnd.nextInt(targets.size())).interrupt();
                    LockSupport.parkNanos(rnd.nextLong(200_000, 2_000_000));
                }
            });
        }
    }

    private static void caller(Pool<TestResource> pool, boolean patient, AtomicLong served, AtomicLong timeouts, AtomicLong worst) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Lease<TestResource> lease = null;
        long t0 = System.nanoTime();
        try {
            if (patient) {
                lease = pool.acquire(Duration.ofSeconds(60));
                worst.accumulateAndGet(System.nanoTime() - t0, Math::max);
            } else if (rnd.nextInt(5) == 0) {
                lease = pool.tryAcquire().orElse(null);
            } else {
                lease = pool.acquire(Duration.ofNanos(rnd.nextLong(1, 3_000_000)));
            }
        } catch (InterruptedException e) {
            return; // the interrupter's doing
        } catch (PoolException e) {
            timeouts.incrementAndGet(); // a timeout, or maxWaiters
            return;
        }
        if (lease == null) {
            return;
        }
        served.incrementAndGet();
        use(lease);
        int end = rnd.nextInt(20);
        if (end == 0) {
            lease.invalidate();
            lease.close(); // a no-op after invalidate
        } else {
            lease.close();
            if (end == 1) {
                lease.close(); // a double close is a no-op, never a second return
            }
        }
        Thread.interrupted(); // an interrupt meant for the acquire must not leak into the next one's check
    }

    /** Holds the resource for a few microseconds: two leases of one resource at once fail in enter(). */
    private static void use(Lease<TestResource> lease) {
        TestResource r;
        try {
            r = lease.get();
        } catch (IllegalStateException deadAfterShutdown) {
            return;
        }
        r.enter();
        try {
            long until = System.nanoTime() + ThreadLocalRandom.current().nextLong(1_000, 20_000);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        } finally {
            r.exit();
        }
    }

    /**
     * One asynchronous acquire, cancelled at once, given a short timeout, or left to the pool's
     * 60 s acquireTimeout (then it must be served well before: its wait counts as a patient one).
     */
    private static void asyncCaller(Pool<TestResource> pool, ConcurrentLinkedQueue<CompletableFuture<?>> asyncs,
                                    ConcurrentLinkedQueue<Throwable> failures, AtomicLong worst) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long t0 = System.nanoTime();
        CompletableFuture<Lease<TestResource>> f;
        try {
            f = pool.acquireAsync();
        } catch (PoolException e) {
            return;
        }
        int what = rnd.nextInt(4);
        CompletableFuture<Void> done = f.handle((lease, failure) -> {
            if (what >= 2) {
                worst.accumulateAndGet(System.nanoTime() - t0, Math::max);
            }
            if (lease != null) {
                try {
                    use(lease);
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    lease.close();
                }
            } else if (!(unwrap(failure) instanceof PoolException) && !(unwrap(failure) instanceof CancellationException)
                    && !(unwrap(failure) instanceof TimeoutException)) {
                failures.add(failure);
            }
            return null;
        });
        asyncs.add(done);
        if (what == 0) {
            f.cancel(false);
        } else if (what == 1) {
            f.orTimeout(rnd.nextLong(100, 2_000), TimeUnit.MICROSECONDS);
        }
        try {
            done.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            failures.add(new AssertionError("an asynchronous acquire did not end within 60 s: " + pool.stats(), e));
        }
        asyncs.remove(done);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
