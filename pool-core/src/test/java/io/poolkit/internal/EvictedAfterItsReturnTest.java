package io.poolkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.DestroyReason;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code evictIdle()} reads each slot's kind and marks a leased one to go at its return; the lease
 * can come back between the two, and the resource is then idle with the mark on it. The fast paths
 * test one field for lifetime and eviction ({@link Slot#expired(long)}): these tests put a slot in
 * that state on purpose ({@link Slot#retire}, as the eviction does) and check that the next acquire
 * does not lease the marked resource, and that a lease marked while held is destroyed at its return,
 * with the eviction as the reason, whatever the idle order.
 */
@Timeout(30)
class EvictedAfterItsReturnTest {
    private Pool<TestResource> pool;

    @AfterEach
    void shutDown() throws InterruptedException {
        if (pool != null) {
            pool.shutdown(Duration.ofSeconds(1));
        }
    }

    private Slot<?> open(TestFactory f, boolean fifo) throws InterruptedException {
        var b = Pool.builder(f).maxSize(1);
        if (fifo) {
            b.idleOrder(io.poolkit.IdleOrder.FIFO);
        }
        pool = b.build();
        assertThat(pool.warmUp(1)).isEqualTo(1);
        return ((CorePool<?>) pool).table.slots[0];
    }

    @ParameterizedTest(name = "FIFO {0}")
    @ValueSource(booleans = {false, true})
    void aResourceMarkedAfterItsReturnIsNotLeasedAgain(boolean fifo) throws Exception {
        TestFactory f = new TestFactory();
        Slot<?> s = open(f, fifo);
        TestResource first;
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            first = l.get();
        }
        assertThat(s.kind()).as("returned").isEqualTo(Slot.IDLE);

        s.retire(DestroyReason.EVICTED); // the eviction's mark, landing after the return

        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).as("a new resource, not the evicted one").isNotSameAs(first);
            assertThat(l.isRetiring()).isFalse();
        }
        assertThat(first.destroyed()).isTrue();
        assertThat(pool.stats().destroyedBy(DestroyReason.EVICTED)).isEqualTo(1);
        Await.until(() -> pool.stats().size() == 1 && pool.stats().idle() == 1, () -> "one resource, idle: " + pool.stats());
    }

    @ParameterizedTest(name = "FIFO {0}")
    @ValueSource(booleans = {false, true})
    void aLeaseMarkedWhileHeldIsDestroyedAtItsReturn(boolean fifo) throws Exception {
        TestFactory f = new TestFactory();
        Slot<?> s = open(f, fifo);
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        TestResource r = held.get();

        s.retire(DestroyReason.EVICTED);

        assertThat(held.isRetiring()).isTrue();
        held.close();
        Await.until(() -> r.destroyed() && pool.stats().destroyedBy(DestroyReason.EVICTED) == 1,
                () -> "destroyed at its return: " + pool.stats());
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).isNotSameAs(r);
        }
    }
}
