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

    @Test
    void lifoHandsOutTheMostRecentlyReturnedResourceFirst() throws Exception {
        Pool<TestResource> pool = warmPool(IdleOrder.LIFO, 4);
        Lease<TestResource> a = pool.acquire(Duration.ofSeconds(5));
        Lease<TestResource> b = pool.acquire(Duration.ofSeconds(5));
        TestResource returnedFirst = a.get();
        TestResource returnedLast = b.get();
        a.close();
        b.close();
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).as("LIFO: the resource returned last (%s), not the one returned before it (%s)",
                    returnedLast, returnedFirst).isSameAs(returnedLast);
        }
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
