package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code evictIdle()}: a soft evict, idle resources now, leased ones as they come back. */
@Timeout(30)
class EvictIdleTest extends ApiTestSupport {

    @Test
    void everyIdleResourceIsDestroyedAtOnceAsEvicted() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(3));
        assertThat(pool.warmUp(3)).isEqualTo(3);
        List<TestResource> before = f.alive();
        pool.evictIdle();
        assertThat(pool.stats().idle()).as("no idle resource left to lease").isZero();
        Await.until(() -> pool.stats().destroying() == 0 && pool.stats().size() == 0, () -> "evicted: " + pool.stats());
        assertThat(pool.stats().destroyedBy(DestroyReason.EVICTED)).isEqualTo(3);
        assertThat(before).allMatch(TestResource::destroyed);
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(before).doesNotContain(l.get());
        }
    }

    /**
     * Found when a minIdle test failed in a fresh-clone CI run: a destroy's minIdle refill landed in
     * a slot the evicting loop had not reached yet, and the same call evicted the new resource too.
     */
    @Test
    void anEvictionEvictsOnlyWhatWasIdleWhenItStartedNotTheMinIdleRefill() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(8).minIdle(4));
        for (int round = 1; round <= 100; round++) {
            int r = round;
            Await.until(() -> pool.stats().idle() >= 4 && pool.stats().creating() == 0 && pool.stats().destroying() == 0,
                    () -> "round " + r + ": minIdle refilled: " + pool.stats());
            PoolStats before = pool.stats();
            pool.evictIdle();
            Await.until(() -> pool.stats().destroying() == 0, () -> "evicted: " + pool.stats());
            assertThat(pool.stats().destroyedBy(DestroyReason.EVICTED) - before.destroyedBy(DestroyReason.EVICTED))
                    .as("round %d: the %d idle when evictIdle() was called, and no refill", round, before.idle())
                    .isEqualTo(before.idle());
        }
    }

    @Test
    void aLeasedResourceReportsRetiringAndIsDestroyedOnReturn() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(3));
        assertThat(pool.warmUp(3)).isEqualTo(3);
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        assertThat(held.isRetiring()).isFalse();

        pool.evictIdle();

        Await.until(() -> pool.stats().destroyedBy(DestroyReason.EVICTED) == 2 && pool.stats().destroying() == 0,
                () -> "the two idle ones evicted: " + pool.stats());
        assertThat(held.isRetiring()).as("the holder learns its resource is on its way out").isTrue();
        TestResource r = held.get();
        assertThat(r.destroyed()).as("still usable until it comes back").isFalse();
        r.touch();
        held.close();
        Await.until(() -> r.destroyed() && pool.stats().destroyedBy(DestroyReason.EVICTED) == 3,
                () -> "destroyed on return: " + pool.stats());
        assertThat(pool.stats().idle()).isZero();

        try (Lease<TestResource> fresh = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(fresh.get()).isNotSameAs(r);
            assertThat(fresh.isRetiring()).as("a resource created after the evict is not retiring").isFalse();
        }
    }

    @Test
    void evictIdleOnAnEmptyPoolIsHarmless() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(2));
        pool.evictIdle();
        assertThat(pool.stats().destroyed()).isZero();
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.isRetiring()).isFalse();
        }
    }
}
