package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DESIGN rule 5, bounded fairness: in normal mode running callers may take a returned resource
 * before a waiter; once the oldest waiter has waited {@code fairness}, every return is handed to the
 * oldest waiter and nobody overtakes it. Time is the injected ticker's, so "has waited fairness" is
 * exact; the last test runs on the real clock and would catch starvation.
 */
@Timeout(60)
class FairnessTest extends ApiTestSupport {
    private static final Duration FAIRNESS = Duration.ofMillis(1);
    private final ManualClock clock = new ManualClock();

    private Pool<TestResource> pool(int maxSize, Duration fairness) throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(maxSize).fairness(fairness)
                .ticker(clock).scheduler(clock).acquireTimeout(Duration.ofSeconds(30)));
        pool.warmUp(maxSize);
        return pool;
    }

    /** Starts a thread that acquires, records what it got and closes; returns once it is queued. */
    private CompletableFuture<TestResource> waiter(Pool<TestResource> pool, int queuedBefore, List<Integer> order, int id) {
        CompletableFuture<TestResource> got = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(30))) {
                order.add(id);
                got.complete(l.get());
            } catch (Throwable e) {
                got.completeExceptionally(e);
            }
        }, "waiter-" + id);
        t.setDaemon(true);
        t.start();
        Await.until(() -> pool.stats().waiting() == queuedBefore + 1, () -> "waiter " + id + " queued: " + pool.stats());
        return got;
    }

    @Test
    void aWaiterPastFairnessIsNeverOvertakenByARunningCaller() throws Exception {
        Pool<TestResource> pool = pool(1, FAIRNESS);
        Lease<TestResource> held = pool.acquire();
        TestResource resource = held.get();
        CompletableFuture<TestResource> w = waiter(pool, 0, new CopyOnWriteArrayList<>(), 1);
        clock.advance(FAIRNESS.plusNanos(1));
        held.close(); // the returning thread sees the oldest waiter past fairness and hands it over
        Optional<Lease<TestResource>> barged = pool.tryAcquire();
        // the waiter closes its lease at once, so a running caller may find the resource only after that
        assertThat(barged.isEmpty() || w.isDone()).as("hand-off mode: a running caller finds nothing before the waiter is served").isTrue();
        barged.ifPresent(Lease::close);
        assertThat(w.get(10, TimeUnit.SECONDS)).isSameAs(resource);
    }

    @Test
    void aYoungWaiterMayBeOvertakenButIsThenServed() throws Exception {
        Pool<TestResource> pool = pool(1, FAIRNESS);
        Lease<TestResource> held = pool.acquire();
        CompletableFuture<TestResource> w = waiter(pool, 0, new CopyOnWriteArrayList<>(), 1);
        held.close(); // normal mode: the resource goes idle and the waiter is woken to compete for it
        Optional<Lease<TestResource>> barged = pool.tryAcquire();
        // exactly one of the two holds it: the running caller, or the woken waiter that got there first
        assertThat(barged.isPresent() || w.isDone() || pool.stats().leased() == 1).isTrue();
        barged.ifPresent(Lease::close);
        assertThat(w.get(10, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void fairnessForeverNeverHandsOffSoARunningCallerMayAlwaysGoFirst() throws Exception {
        Pool<TestResource> pool = pool(1, Pool.FOREVER);
        Lease<TestResource> held = pool.acquire();
        CompletableFuture<TestResource> w = waiter(pool, 0, new CopyOnWriteArrayList<>(), 1);
        // far past any fairness, but within the waiter's 30 s timeout: an advance past its deadline
        // (this test advanced an hour) let a waiter that woke before the close time out, under load
        clock.advance(Duration.ofSeconds(20));
        held.close();
        Optional<Lease<TestResource>> barged = pool.tryAcquire();
        assertThat(barged.isPresent() || w.isDone() || pool.stats().leased() == 1).isTrue();
        barged.ifPresent(Lease::close);
        assertThat(w.get(10, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void handOffModeServesWaitersInArrivalOrderWhileOthersHammerTryAcquire() throws Exception {
        Pool<TestResource> pool = pool(1, FAIRNESS);
        Lease<TestResource> held = pool.acquire();
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<CompletableFuture<TestResource>> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiters.add(waiter(pool, i, order, i));
        }
        clock.advance(FAIRNESS.multipliedBy(2));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger[] barges = {new AtomicInteger(), new AtomicInteger()};
        CountDownLatch hammering = new CountDownLatch(2);
        Thread[] hammers = new Thread[2];
        for (int h = 0; h < 2; h++) {
            AtomicInteger mine = barges[h];
            hammers[h] = new Thread(() -> {
                hammering.countDown();
                while (!stop.get()) {
                    pool.tryAcquire().ifPresent(l -> {
                        if (order.size() < 5) {
                            mine.incrementAndGet();
                        }
                        l.close();
                    });
                }
            }, "hammer-" + h);
            hammers[h].setDaemon(true);
            hammers[h].start();
        }
        hammering.await();
        held.close();
        for (CompletableFuture<TestResource> w : waiters) {
            w.get(20, TimeUnit.SECONDS);
        }
        stop.set(true);
        for (Thread t : hammers) {
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(order).as("served in arrival order").containsExactly(0, 1, 2, 3, 4);
        for (AtomicInteger b : barges) {
            // only a claim that read the gate just before the flip may get in first, once
            assertThat(b.get()).as("barging successes of one thread while the waiters were past fairness").isLessThanOrEqualTo(1);
        }
    }

    @Test
    void theAwakeWaiterTimingOutNeverStrandsTheNext() throws Exception {
        Pool<TestResource> pool = pool(1, FAIRNESS);
        Lease<TestResource> held = pool.acquire();
        CompletableFuture<Throwable> first = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                pool.acquire(Duration.ofMillis(5)).close();
                first.complete(null);
            } catch (Throwable e) {
                first.complete(e);
            }
        }, "short-waiter");
        t.setDaemon(true);
        t.start();
        Await.until(() -> pool.stats().waiting() == 1, () -> "first queued: " + pool.stats());
        CompletableFuture<TestResource> second = waiter(pool, 1, new CopyOnWriteArrayList<>(), 2);
        held.close(); // wakes the oldest (the short waiter) to compete for the idle resource ...
        clock.advance(Duration.ofMillis(6)); // ... which may time out instead of taking it
        assertThat(second.get(10, TimeUnit.SECONDS)).as("the next waiter is served").isNotNull();
        t.join(10_000);
        assertThat(first.get(10, TimeUnit.SECONDS)).satisfiesAnyOf(
                e -> assertThat(e).isNull(), e -> assertThat(e).isInstanceOf(PoolTimeoutException.class));
    }

    @Test
    void theAwakeWaiterInterruptedNeverStrandsTheNext() throws Exception {
        Pool<TestResource> pool = pool(1, FAIRNESS);
        Lease<TestResource> held = pool.acquire();
        CompletableFuture<Throwable> first = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                pool.acquire(Duration.ofSeconds(30)).close();
                first.complete(null);
            } catch (Throwable e) {
                first.complete(e);
            }
        }, "interrupted-waiter");
        t.setDaemon(true);
        t.start();
        Await.until(() -> pool.stats().waiting() == 1, () -> "first queued: " + pool.stats());
        CompletableFuture<TestResource> second = waiter(pool, 1, new CopyOnWriteArrayList<>(), 2);
        t.interrupt();
        held.close();
        assertThat(second.get(10, TimeUnit.SECONDS)).as("the next waiter is served").isNotNull();
        t.join(10_000);
        assertThat(first.get(10, TimeUnit.SECONDS)).satisfiesAnyOf(
                e -> assertThat(e).isNull(), e -> assertThat(e).isInstanceOf(InterruptedException.class));
    }

    @Test
    void aCancelledAsyncWaiterAtTheHeadNeverStrandsTheNext() throws Exception {
        Pool<TestResource> pool = pool(1, FAIRNESS);
        Lease<TestResource> held = pool.acquire();
        CompletableFuture<Lease<TestResource>> async = pool.acquireAsync();
        Await.until(() -> pool.stats().waiting() == 1, () -> "async queued: " + pool.stats());
        CompletableFuture<TestResource> second = waiter(pool, 1, new CopyOnWriteArrayList<>(), 2);
        async.cancel(false);
        held.close();
        assertThat(second.get(10, TimeUnit.SECONDS)).as("the next waiter is served").isNotNull();
        assertThatThrownBy(async::join).isNotNull();
    }

    /**
     * Real clock, more callers than resources, every acquire timed: with the default fairness no
     * caller waits anywhere near its timeout, however the two cores are shared (a starving pool
     * leaves one caller parked for seconds while the others cycle).
     */
    @Test
    @Timeout(120)
    void underContentionNoCallerWaitsUnboundedly() throws Exception {
        Pool<TestResource> pool = track(Pool.builder(() -> new TestResource(0)).maxSize(4).build());
        pool.warmUp(4);
        AtomicLong worst = new AtomicLong();
        AtomicLong acquires = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        Threads.run(16, Duration.ofSeconds(60), i -> {
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(20))) {
                    long waited = System.nanoTime() - t0;
                    worst.accumulateAndGet(waited, Math::max);
                    acquires.incrementAndGet();
                    long spinUntil = System.nanoTime() + 10_000; // hold 10 µs
                    while (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    }
                }
            }
        });
        assertThat(acquires.get()).isPositive();
        assertThat(Duration.ofNanos(worst.get())).as("worst acquire of %d", acquires.get()).isLessThan(Duration.ofSeconds(1));
    }
}
