package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Virtual threads (JDK 21+): many of them share a small pool, and waiting in acquire parks them
 * (DESIGN rule 3: LockSupport/java.util.concurrent only), so it never pins a carrier.
 */
@Timeout(90)
class VirtualThreadsTest {

    @Test
    void tenThousandVirtualThreadsShareAPoolOfEightWithoutDoubleUse() throws Exception {
        TestFactory factory = new TestFactory();
        Pool<TestResource> pool = Pool.builder(factory).name("vt").maxSize(8).acquireTimeout(Duration.ofSeconds(60)).build();
        try {
            int threads = 10_000;
            int rounds = 3;
            AtomicInteger uses = new AtomicInteger();
            long start = System.nanoTime();
            Threads.run(threads, Duration.ofSeconds(60), true, i -> {
                for (int k = 0; k < rounds; k++) {
                    try (Lease<TestResource> l = pool.acquire()) {
                        TestResource r = l.get();
                        r.enter(); // fails if another lease holds it
                        try {
                            Thread.yield(); // let other virtual threads run while this one holds it
                            uses.incrementAndGet();
                        } finally {
                            r.exit();
                        }
                    }
                }
            });
            System.out.println("VirtualThreadsTest: " + threads + " virtual threads x " + rounds + " leases on a pool of 8 in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
            assertThat(uses).hasValue(threads * rounds);
            PoolStats s = PoolChecks.assertBooksBalance(pool::stats, factory);
            assertThat(s.acquired()).isEqualTo((long) threads * rounds);
            assertThat(s.created()).as("never more than maxSize, nothing failed").isLessThanOrEqualTo(8);
            assertThat(s.waiting()).isZero();
            assertThat(factory.hookThreads()).as("create and destroy on the pool's workers, never a virtual thread")
                    .allSatisfy(t -> assertThat(t.isVirtual()).isFalse());
        } finally {
            assertThat(pool.shutdown(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(pool.stats().size()).isZero();
        assertThat(factory.alive()).isEmpty();
    }

    /**
     * More virtual threads wait in acquire than there are carriers; if waiting pinned a carrier,
     * no other virtual thread could run. Deterministic: every waiter is queued before the probe
     * starts, and nothing is returned until the probe has run. (JFR's jdk.VirtualThreadPinned
     * would say more, but jdk.jfr is not readable from the patched io.poolkit test module.)
     */
    @Test
    void virtualThreadsWaitingInAcquireDoNotPinTheirCarriers() throws Exception {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
        int waiters = carriers * 4 + 4;
        TestFactory factory = new TestFactory();
        Pool<TestResource> pool = Pool.builder(factory).name("vt-pin").maxSize(1).acquireTimeout(Duration.ofSeconds(30)).build();
        try {
            Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
            AtomicInteger served = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                threads.add(Thread.ofVirtual().name("vt-waiter-" + i).start(() -> {
                    try (Lease<TestResource> l = pool.acquire()) {
                        l.get().touch();
                        served.incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            Await.until(() -> pool.stats().waiting() == waiters, () -> "every waiter queued: " + pool.stats());
            for (Thread t : threads) {
                Await.until(() -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING,
                        () -> t + " parked, state " + t.getState());
            }

            CountDownLatch probe = new CountDownLatch(1);
            Thread.ofVirtual().name("vt-probe").start(probe::countDown);
            boolean ran = probe.await(10, TimeUnit.SECONDS);
            if (!ran) {
                Threads.dumpThreads();
            }
            assertThat(ran).as("a virtual thread got a carrier while %d virtual threads wait in acquire on %d carriers",
                    waiters, carriers).isTrue();
            assertThat(served).as("nothing was returned yet").hasValue(0);

            held.close();
            for (Thread t : threads) {
                if (!t.join(Duration.ofSeconds(20))) {
                    Threads.dumpThreads();
                    throw new AssertionError(t + " still waiting 20 s after the resource came back (stacks dumped above)");
                }
            }
            assertThat(served).hasValue(waiters);
            PoolStats s = PoolChecks.assertBooksBalance(pool::stats, factory);
            assertThat(s.acquired()).isEqualTo(waiters + 1);
            assertThat(s.created()).isEqualTo(1);
        } finally {
            assertThat(pool.shutdown(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(factory.alive()).isEmpty();
    }
}
