package io.poolkit.timing;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolBuilder;
import io.poolkit.PoolStats;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * What every timing test shares: a {@link ManualClock} injected as ticker and scheduler, a checking
 * {@link TestFactory}, background callers on the test's own threads, and the checks after each test:
 * every background caller ended, the counts rule and the factory's books balance, and shutdown
 * destroys everything.
 */
@Timeout(60)
abstract class TimedPoolTest {
    /** Real-time bound for background work that should take milliseconds. */
    static final Duration SOON = Duration.ofSeconds(5);
    private static final AtomicInteger POOLS = new AtomicInteger();

    final ManualClock clock = new ManualClock();
    final TestFactory factory = new TestFactory();
    final EventLog events = new EventLog(clock);

    private final List<Pool<TestResource>> pools = new CopyOnWriteArrayList<>();
    private final List<Background<?>> callers = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> latches = new CopyOnWriteArrayList<>();

    /** A builder on the manual clock, named after the test class; no listener unless a test adds {@link #events}. */
    PoolBuilder<TestResource> builder() {
        return Pool.builder(factory)
                .name(getClass().getSimpleName() + "-" + POOLS.incrementAndGet())
                .ticker(clock)
                .scheduler(clock);
    }

    Pool<TestResource> open(PoolBuilder<TestResource> builder) {
        Pool<TestResource> pool = builder.build();
        pools.add(pool);
        return pool;
    }

    /** A latch released after the test at the latest, so no stalled hook outlives it. */
    CountDownLatch latch() {
        CountDownLatch l = new CountDownLatch(1);
        latches.add(l);
        return l;
    }

    <V> Background<V> inBackground(String name, Callable<V> body) {
        Background<V> b = Background.start(getClass().getSimpleName() + "-" + name, body);
        callers.add(b);
        return b;
    }

    /** An acquire on its own thread that returns the resource it got and closes the lease at once. */
    Background<TestResource> acquireInBackground(Pool<TestResource> pool, Duration timeout) {
        return inBackground("caller", () -> {
            try (Lease<TestResource> lease = pool.acquire(timeout)) {
                TestResource r = lease.get();
                r.touch();
                return r;
            }
        });
    }

    /** Acquires and returns at once, so the resource goes idle now; gives the resource back. */
    static TestResource cycle(Pool<TestResource> pool) throws InterruptedException {
        try (Lease<TestResource> lease = pool.acquire(SOON)) {
            lease.get().touch();
            return lease.get();
        }
    }

    static void awaitIdle(Pool<TestResource> pool, int idle) {
        Await.until(SOON, () -> pool.stats().idle() == idle && pool.stats().creating() == 0,
                () -> idle + " idle and no create in flight: " + pool.stats());
    }

    static void awaitDestroyed(TestResource r) {
        Await.until(SOON, r::destroyed, () -> r + " destroyed by the factory");
    }

    /**
     * Drives a pool through failing creates: each round waits until {@code done} holds, or no create
     * is in flight and a retry is scheduled (the maintenance run plus the retry are pending), and
     * only then moves the clock by {@code step}, so the clock never runs ahead of the workers.
     */
    void driveRetries(Pool<TestResource> pool, BooleanSupplier done, Duration step, int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            Await.until(SOON, () -> done.getAsBoolean() || (pool.stats().creating() == 0 && clock.pending() >= 2),
                    () -> "a retry scheduled: " + pool.stats() + ", pending tasks " + clock.pending());
            if (done.getAsBoolean()) {
                return;
            }
            clock.advance(step);
        }
        // a waiter re-reads the injected clock within 10 ms of real time: give it that to notice
        Await.until(SOON, done, () -> "not done after " + maxSteps + " steps of " + step + ": " + pool.stats());
    }

    @AfterEach
    void everythingEndsAndTheBooksBalance() throws Exception {
        latches.forEach(CountDownLatch::countDown);
        List<String> stillRunning = new ArrayList<>();
        for (Background<?> b : callers) {
            if (!b.join(Duration.ofSeconds(10))) {
                stillRunning.add(b.thread().getName());
            }
        }
        if (!stillRunning.isEmpty()) {
            Threads.dumpThreads();
            throw new AssertionError("background callers still running after the test (stacks dumped): " + stillRunning);
        }
        try {
            for (Pool<TestResource> pool : pools) {
                PoolChecks.assertBooksBalance(pool::stats, factory);
            }
        } finally {
            for (Pool<TestResource> pool : pools) {
                pool.shutdown(Duration.ofSeconds(2));
            }
        }
        for (Pool<TestResource> pool : pools) {
            Await.until(SOON, () -> pool.stats().size() == 0, () -> "nothing left after shutdown: " + pool.stats());
            PoolStats st = pool.stats();
            assertThat(st.created()).as("every created resource destroyed: %s", st).isEqualTo(st.destroyed());
        }
        Await.until(SOON, () -> factory.alive().isEmpty(), () -> "factory resources still alive: " + factory.alive());
        assertThat(factory.doubleDestroys()).as("resources destroyed twice").isZero();
    }
}
