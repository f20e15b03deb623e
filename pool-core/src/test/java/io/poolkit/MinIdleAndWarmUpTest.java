package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestFactory.Behaviour;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code minIdle}, {@code setMinIdle} and {@code warmUp}: idle resources kept ready in the background. */
@Timeout(30)
class MinIdleAndWarmUpTest extends ApiTestSupport {

    @Test
    void minIdleIsFilledInTheBackgroundAfterBuild() {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(5).minIdle(2));
        Await.until(() -> pool.stats().idle() >= 2 && pool.stats().creating() == 0, () -> "two idle: " + pool.stats());
        assertThat(f.hookThreads()).doesNotContain(Thread.currentThread());
    }

    /**
     * Regression (issue 12 review leftover: "a minIdle refill overshoots by one while racing
     * evictIdle()", whose destroys start many refills at once): a refill decides from a look at the
     * creates in flight and the idle resources, then counts itself in flight with a CAS on the
     * in-flight count. If, in between, one create finished (the count fell) and another refill
     * started (it rose back), the CAS still succeeded on a stale look, and one resource too many was
     * made. Deterministic: the deciding refill is held inside its look (at its read of the injected
     * ticker) while the first create finishes and the next one starts.
     */
    @Test
    void aRefillDecidedBeforeACreateFinishedAndAnotherStartedCreatesNoResourceTooMany() throws Exception {
        ManualClock clock = new ManualClock();
        CountDownLatch firstMayFinish = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);
        CountDownLatch secondMayFinish = new CountDownLatch(1);
        AtomicInteger creates = new AtomicInteger();
        TestFactory f = new TestFactory();
        f.onCreate = () -> {
            int n = creates.incrementAndGet();
            if (n == 1) {
                firstMayFinish.await(10, TimeUnit.SECONDS);
            } else if (n == 2) {
                secondStarted.countDown();
                secondMayFinish.await(10, TimeUnit.SECONDS);
            }
        };
        HoldOneThread ticker = new HoldOneThread(clock);
        Pool<TestResource> pool = open(f, b -> b.maxSize(4).minIdle(1).maxConcurrentCreates(4).ticker(ticker).scheduler(clock));
        Await.until(() -> pool.stats().creating() == 1, () -> "the first refill in flight: " + pool.stats());
        Thread raise = new Thread(() -> pool.setMinIdle(2), "raises-minIdle");
        raise.setDaemon(true);
        ticker.hold = raise;
        raise.start();
        assertThat(ticker.held.await(10, TimeUnit.SECONDS)).as("the refill for minIdle 2 decided: idle 0 + 1 in flight < 2").isTrue();
        firstMayFinish.countDown(); // the first create finishes, and its worker starts the second refill
        assertThat(secondStarted.await(10, TimeUnit.SECONDS)).isTrue();
        ticker.release.countDown(); // the in-flight count is back where the held refill saw it
        raise.join(10_000);
        assertThat(raise.isAlive()).isFalse();
        secondMayFinish.countDown();
        Await.until(() -> pool.stats().creating() == 0 && pool.stats().idle() >= 2, () -> "refilled: " + pool.stats());
        assertThat(pool.stats().idle()).as("exactly minIdle idle: %s", pool.stats()).isEqualTo(2);
        assertThat(creates.get()).as("creates").isEqualTo(2);
    }

    /** An injected ticker that holds one chosen thread at its first reading, until released. */
    private static final class HoldOneThread implements Ticker {
        final ManualClock clock;
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile Thread hold;

        HoldOneThread(ManualClock clock) {
            this.clock = clock;
        }

        @Override
        public long read() {
            if (Thread.currentThread() == hold) {
                hold = null;
                held.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return clock.read();
        }
    }

    /**
     * Regression: two minIdle creates finishing together must not start a third. The first create's
     * {@code created} event is held until the second create has finished all its work (its worker is
     * back waiting for tasks), which widens the moment between "no longer in flight" and "idle" of
     * the first one; a refill that counts neither then creates one resource too many.
     */
    @Test
    void minIdleRefillCreatesNoMoreThanMinIdleWhenTwoCreatesFinishTogether() throws Exception {
        TestFactory f = new TestFactory();
        CountDownLatch firstMayFinish = new CountDownLatch(1);
        AtomicInteger createdEvents = new AtomicInteger();
        AtomicReference<Thread> secondCreator = new AtomicReference<>();
        PoolListener<TestResource> holdFirst = new PoolListener<>() {
            @Override
            public void created(TestResource resource) {
                if (createdEvents.incrementAndGet() == 1) {
                    try {
                        firstMayFinish.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else {
                    secondCreator.compareAndSet(null, Thread.currentThread());
                }
            }
        };
        Pool<TestResource> pool = open(f, b -> b.maxSize(5).minIdle(2).listener(holdFirst));
        try {
            Await.until(() -> {
                Thread t = secondCreator.get();
                return t != null && pool.stats().idle() == 1 && Arrays.stream(t.getStackTrace())
                        .anyMatch(e -> e.getMethodName().equals("getTask"));
            }, () -> "the second create done and its worker idle again: " + pool.stats());
        } finally {
            firstMayFinish.countDown();
        }
        Await.until(() -> pool.stats().idle() >= 2 && pool.stats().creating() == 0, () -> "two idle: " + pool.stats());
        assertThat(f.createCalls()).as("creates for minIdle 2").isEqualTo(2);
        assertThat(pool.stats().idle()).isEqualTo(2);
    }

    @Test
    void destroyedResourcesAreReplacedInTheBackgroundToKeepMinIdle() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(5).minIdle(2));
        Await.until(() -> pool.stats().idle() == 2, () -> "two idle: " + pool.stats());

        Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5));
        TestResource broken = l.get();
        l.invalidate();
        Await.until(() -> pool.stats().idle() == 2 && pool.stats().creating() == 0 && pool.stats().destroyed() == 1,
                () -> "the invalidated one replaced: " + pool.stats());
        assertThat(broken.destroyed()).isTrue();
        assertThat(pool.stats().created()).isEqualTo(3);

        pool.evictIdle();
        Await.until(() -> pool.stats().idle() == 2 && pool.stats().creating() == 0 && pool.stats().destroyed() == 3,
                () -> "both evicted ones replaced: " + pool.stats());
        assertThat(pool.stats().created()).isEqualTo(5);
    }

    @Test
    void leasedResourcesAreBackfilledByMaintenanceSoMinIdleStayIdle() throws Exception {
        ManualClock clock = new ManualClock();
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(5).minIdle(2).maintenanceInterval(Duration.ofSeconds(1))
                .ticker(clock).scheduler(clock));
        Await.until(() -> pool.stats().idle() == 2 && pool.stats().creating() == 0, () -> "two idle: " + pool.stats());
        Lease<TestResource> a = pool.acquire(Duration.ofSeconds(5));
        Lease<TestResource> b = pool.acquire(Duration.ofSeconds(5));
        clock.advance(Duration.ofSeconds(1));
        Await.until(() -> pool.stats().idle() == 2 && pool.stats().creating() == 0,
                () -> "maintenance refilled two idle beside the two leases: " + pool.stats());
        assertThat(pool.stats().size()).isEqualTo(4);
        a.close();
        b.close();
    }

    @Test
    void minIdleIsBoundedByMaxSize() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(2).minIdle(2));
        Await.until(() -> pool.stats().idle() == 2, () -> "two idle: " + pool.stats());
        Lease<TestResource> a = pool.acquire(Duration.ofSeconds(5));
        Lease<TestResource> b = pool.acquire(Duration.ofSeconds(5));
        pool.setMinIdle(2); // runs demand and maintenance now
        assertThat(pool.stats().size()).as("never above maxSize to satisfy minIdle").isEqualTo(2);
        assertThat(pool.stats().creating()).isZero();
        a.close();
        b.close();
    }

    @Test
    void setMinIdleRaisesTheFloorAtOnceWithoutWaitingForMaintenance() {
        ManualClock clock = new ManualClock();
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(5).ticker(clock).scheduler(clock));
        assertThat(pool.stats().size()).isZero();
        pool.setMinIdle(3);
        Await.until(() -> pool.stats().idle() == 3 && pool.stats().creating() == 0, () -> "three idle: " + pool.stats());
        pool.setMinIdle(0);
        assertThat(pool.stats().idle()).as("lowering minIdle destroys nothing by itself").isEqualTo(3);
        assertThatThrownBy(() -> pool.setMinIdle(6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minIdle (6) must not exceed maxSize (5)");
        assertThatThrownBy(() -> pool.setMinIdle(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minIdle").hasMessageContaining("-1");
    }

    @Test
    void warmUpCreatesNowAndReturnsTheIdleCountBoundedByMaxSize() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(3));
        assertThat(pool.warmUp(0)).isZero();
        assertThat(pool.warmUp(2)).isEqualTo(2);
        assertThat(pool.stats().idle()).isEqualTo(2);
        assertThat(pool.warmUp(10)).as("bounded by maxSize").isEqualTo(3);
        assertThat(pool.stats().created()).isEqualTo(3);
        assertThat(pool.warmUp(3)).as("already warm: nothing more created").isEqualTo(3);
        assertThat(pool.stats().created()).isEqualTo(3);
        assertThat(f.hookThreads()).as("creates ran on pool workers").doesNotContain(Thread.currentThread());
    }

    @Test
    void warmUpCountsLeasedResourcesAgainstMaxSize() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(3));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        assertThat(pool.warmUp(3)).as("only two more fit beside the lease").isEqualTo(2);
        assertThat(pool.stats().size()).isEqualTo(3);
        held.close();
    }

    @Test
    void warmUpStopsAtTheFirstFailureAndReportsWhatIsIdle() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(3));
        f.onCreate = Behaviour.failing("backend down");
        assertThat(pool.warmUp(3)).isZero();
        assertThat(pool.stats().createFailures()).isPositive();
        assertThat(pool.stats().size()).isZero();
    }
}
