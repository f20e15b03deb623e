package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code idleOrder}: LIFO keeps the most recently used resource hot; FIFO spreads use over all idle ones. */
@Timeout(30)
class IdleOrderTest extends ApiTestSupport {
    private final ManualClock clock = new ManualClock();

    private Pool<TestResource> warmPool(IdleOrder order, int size) throws InterruptedException {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(size).idleOrder(order).ticker(clock).scheduler(clock));
        assertThat(pool.warmUp(size)).isEqualTo(size);
        return pool;
    }

    @Test
    void lifoIsTheDefaultAndASingleThreadGetsBackTheResourceItReturned() throws Exception {
        Pool<TestResource> pool = track(Pool.builder(new TestFactory()).maxSize(4).ticker(clock).scheduler(clock).build());
        assertThat(pool.warmUp(4)).isEqualTo(4);
        TestResource first;
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            first = l.get();
        }
        for (int i = 0; i < 10; i++) {
            try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
                assertThat(l.get()).as("acquire %d after returning", i).isSameAs(first);
            }
        }
    }

    /**
     * LIFO is per thread (IdleOrder's javadoc): a thread keeps cycling through the resource it used
     * last, so the surplus stays idle long enough to time out.
     */
    @Test
    void lifoKeepsAThreadOnTheResourceItUsedLastSoTheSurplusIdlesOut() throws Exception {
        Pool<TestResource> pool = warmPool(IdleOrder.LIFO, 4);
        Map<TestResource, Integer> uses = new IdentityHashMap<>();
        for (int i = 0; i < 50; i++) {
            try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
                uses.merge(l.get(), 1, Integer::sum);
            }
        }
        assertThat(uses).as("one thread, one hot resource; the other three stay idle").hasSize(1);
        assertThat(pool.stats().idle()).isEqualTo(4);
    }

    @Test
    void fifoSpreadsSuccessiveAcquiresOverEveryIdleResource() throws Exception {
        Pool<TestResource> pool = warmPool(IdleOrder.FIFO, 3);
        List<TestResource> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
                seen.add(l.get());
            }
        }
        assertThat(seen.subList(0, 3)).as("three successive acquires get three different resources").doesNotHaveDuplicates();
        Map<TestResource, Integer> uses = new IdentityHashMap<>();
        seen.forEach(r -> uses.merge(r, 1, Integer::sum));
        assertThat(uses.values()).as("every idle resource used alike").containsOnly(2);
    }

    @Test
    void fifoNeverHandsOutTheResourceJustReturnedWhileOthersIdle() throws Exception {
        Pool<TestResource> pool = warmPool(IdleOrder.FIFO, 3);
        TestResource previous = null;
        for (int i = 0; i < 9; i++) {
            try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
                assertThat(l.get()).as("acquire %d", i).isNotSameAs(previous);
                previous = l.get();
            }
        }
    }
}
