package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code resize(maxSize)}: growing serves waiters, shrinking drains gracefully (reason SHRUNK). */
@Timeout(60)
class ResizeAtRuntimeTest extends ApiTestSupport {

    @Test
    void growingServesQueuedWaitersAtOnce() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).maxConcurrentCreates(3));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        Set<TestResource> got = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        CountDownLatch allHolding = new CountDownLatch(3);
        AtomicInteger servedAfterMs = new AtomicInteger(-1);
        Threads.run(4, Duration.ofSeconds(30), i -> {
            if (i < 3) {
                try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(25))) {
                    got.add(l.get());
                    allHolding.countDown();
                    assertThat(allHolding.await(20, TimeUnit.SECONDS)).isTrue();
                }
                return;
            }
            Await.until(() -> pool.stats().waiting() == 3, () -> "three waiters: " + pool.stats());
            long start = System.nanoTime();
            pool.resize(4);
            assertThat(allHolding.await(20, TimeUnit.SECONDS)).as("every waiter served while the first lease is still held").isTrue();
            servedAfterMs.set((int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        });
        assertThat(servedAfterMs.get()).as("served right after the resize, not near their 25 s deadline").isBetween(0, 5000);
        assertThat(got).hasSize(3).doesNotContain(held.get());
        assertThat(pool.stats().maxSize()).isEqualTo(4);
        assertThat(pool.stats().created()).isEqualTo(4);
        held.close();
    }

    @Test
    void shrinkingDestroysIdleResourcesAtOnceAndLeasedOnesOnReturnUntilTheSizeFits() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(4));
        assertThat(pool.warmUp(4)).isEqualTo(4);
        Lease<TestResource> a = pool.acquire(Duration.ofSeconds(5));
        Lease<TestResource> b = pool.acquire(Duration.ofSeconds(5));

        pool.resize(1);

        assertThat(pool.stats().maxSize()).isEqualTo(1);
        Await.until(() -> pool.stats().destroyedBy(DestroyReason.SHRUNK) == 2 && pool.stats().destroying() == 0,
                () -> "both idle resources destroyed at once: " + pool.stats());
        assertThat(pool.stats().idle()).isZero();
        assertThat(pool.stats().leased()).isEqualTo(2);
        assertThat(a.get().destroyed()).isFalse();

        TestResource first = a.get();
        a.close();
        Await.until(() -> pool.stats().destroyedBy(DestroyReason.SHRUNK) == 3 && pool.stats().destroying() == 0,
                () -> "the first returned lease destroyed: " + pool.stats());
        assertThat(first.destroyed()).isTrue();

        TestResource second = b.get();
        b.close();
        assertThat(pool.stats().destroyedBy(DestroyReason.SHRUNK)).as("the size fits now: the last one stays").isEqualTo(3);
        assertThat(second.destroyed()).isFalse();
        assertThat(pool.stats().size()).isEqualTo(1);
        assertThat(pool.stats().idle()).isEqualTo(1);
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).isSameAs(second);
        }
    }

    @Test
    void sizeNeverExceedsTheNewMaxSizeOnceAShrinkHasDrained() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(4));
        AtomicBoolean drained = new AtomicBoolean();
        AtomicInteger checkedAfterDrain = new AtomicInteger();
        AtomicInteger overflow = new AtomicInteger();
        CountDownLatch busy = new CountDownLatch(6);
        Threads.run(7, Duration.ofSeconds(40), i -> {
            if (i < 6) {
                busy.countDown();
                while (checkedAfterDrain.get() < 3000) {
                    boolean after = drained.get();
                    try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(20))) {
                        l.get().touch();
                        if (after) {
                            PoolStats st = pool.stats();
                            if (st.size() > 1 || st.leased() > 1) {
                                overflow.incrementAndGet();
                            }
                            checkedAfterDrain.incrementAndGet();
                        }
                    }
                }
                return;
            }
            busy.await();
            Await.until(() -> pool.stats().acquired() > 200, () -> "the pool in use: " + pool.stats());
            pool.resize(1);
            Await.until(() -> pool.stats().size() <= 1, () -> "the shrink to drain: " + pool.stats());
            drained.set(true);
        });
        assertThat(overflow.get()).as("samples with size or leased above the new maxSize 1 after the drain").isZero();
        assertThat(pool.stats().size()).isLessThanOrEqualTo(1);
        assertThat(pool.stats().destroyedBy(DestroyReason.SHRUNK)).isEqualTo(pool.stats().created() - 1);
    }

    @Test
    void resizeRejectsACapacityBelowOneOrBelowMinIdle() {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(4).minIdle(2));
        assertThatThrownBy(() -> pool.resize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSize").hasMessageContaining("0");
        assertThatThrownBy(() -> pool.resize(1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minIdle (2)");
        assertThat(pool.stats().maxSize()).isEqualTo(4);
    }

    @Test
    void growingAfterAShrinkCreatesUpToTheNewCapacityAgain() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(3));
        assertThat(pool.warmUp(3)).isEqualTo(3);
        pool.resize(1);
        Await.until(() -> pool.stats().size() == 1 && pool.stats().destroying() == 0, () -> "shrunk to one: " + pool.stats());
        pool.resize(3);
        List<Lease<TestResource>> leases = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            leases.add(pool.acquire(Duration.ofSeconds(5)));
        }
        assertThat(pool.stats().leased()).isEqualTo(3);
        assertThat(pool.stats().size()).isEqualTo(3);
        leases.forEach(Lease::close);
    }

    @Test
    void shrinkingAPoolWhoseSizeAlreadyFitsLeavesNoLeaseRetiring() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(4));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        pool.resize(2); // size 1 fits: nothing to drain
        assertThat(pool.stats().size()).isEqualTo(1);
        assertThat(held.isRetiring()).as("a lease whose resource will never be destroyed by the shrink").isFalse();
        held.close();
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.isRetiring()).as("a lease taken after the resize").isFalse();
        }
        assertThat(pool.stats().destroyed()).isZero();
    }

    @Test
    void growingBackBeforeAShrinkDrainedLeavesNoLeaseRetiring() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(2));
        Lease<TestResource> a = pool.acquire(Duration.ofSeconds(5));
        Lease<TestResource> b = pool.acquire(Duration.ofSeconds(5));
        pool.resize(1);
        pool.resize(2); // undone before any lease came back
        a.close();
        b.close();
        assertThat(pool.stats().destroyedBy(DestroyReason.SHRUNK)).as("the size fits the capacity again").isZero();
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.isRetiring()).as("no shrink is pending").isFalse();
        }
    }
}
