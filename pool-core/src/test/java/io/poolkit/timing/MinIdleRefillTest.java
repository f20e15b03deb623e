package io.poolkit.timing;

import static io.poolkit.DestroyReason.EVICTED;
import static io.poolkit.DestroyReason.INVALIDATED;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code minIdle} with {@code maintenanceInterval}: the pool refills to minIdle in the background. */
@Timeout(30)
class MinIdleRefillTest extends TimedPoolTest {

    @Test
    void buildFillsMinIdleInTheBackgroundAndNoMore() throws Exception {
        Pool<TestResource> pool = open(builder().maxSize(6).minIdle(3));
        awaitIdle(pool, 3);
        clock.advance(Duration.ofMinutes(5)); // ten maintenance runs
        awaitIdle(pool, 3);
        assertThat(pool.stats().created()).isEqualTo(3);
    }

    @Test
    void destroyedResourcesAreReplacedUpToMinIdle() throws Exception {
        Pool<TestResource> pool = open(builder().maxSize(6).minIdle(2));
        awaitIdle(pool, 2);
        List<TestResource> first = factory.alive();

        pool.evictIdle();

        Await.until(SOON, () -> pool.stats().idle() == 2 && pool.stats().created() == 4,
                () -> "two replacements: " + pool.stats());
        assertThat(pool.stats().destroyedBy(EVICTED)).isEqualTo(2);
        first.forEach(TimedPoolTest::awaitDestroyed);
        assertThat(factory.alive()).doesNotContainAnyElementsOf(first);

        try (Lease<TestResource> lease = pool.acquire(SOON)) {
            lease.invalidate();
        }
        Await.until(SOON, () -> pool.stats().idle() == 2 && pool.stats().created() == 5,
                () -> "the invalidated one replaced: " + pool.stats());
        assertThat(pool.stats().destroyedBy(INVALIDATED)).isEqualTo(1);
    }

    @Test
    void leasedResourcesDoNotCountAsIdleButRefillStopsAtMaxSize() throws Exception {
        Pool<TestResource> pool = open(builder().maxSize(3).minIdle(2));
        awaitIdle(pool, 2);
        Lease<TestResource> a = pool.acquire(SOON);
        Lease<TestResource> b = pool.acquire(SOON);
        // a create already in flight would time out in the jump (createTimeout is 30 s): let it land first
        Await.until(SOON, () -> pool.stats().creating() == 0, () -> "no create in flight: " + pool.stats());
        clock.advance(Duration.ofSeconds(30)); // a maintenance run

        Await.until(SOON, () -> pool.stats().idle() == 1 && pool.stats().size() == 3,
                () -> "one more created, then maxSize reached: " + pool.stats());
        clock.advance(Duration.ofMinutes(2));
        assertThat(pool.stats().size()).isEqualTo(3);
        assertThat(pool.stats().created()).isEqualTo(3);
        a.close();
        b.close();
        awaitIdle(pool, 3);
    }

    @Test
    void failedCreatesAreRetriedUntilMinIdleIsReached() throws Exception {
        AtomicReference<Exception> last = new AtomicReference<>();
        factory.onCreate = Behaviours.failTimes(3, "backend starting", last);
        Pool<TestResource> pool = open(builder().maxSize(4).minIdle(2).createRetry(Duration.ofSeconds(1), Duration.ofSeconds(1)));

        driveRetries(pool, () -> pool.stats().idle() == 2 && pool.stats().creating() == 0, Duration.ofSeconds(1), 10);

        awaitIdle(pool, 2);
        assertThat(pool.stats().createFailures()).isEqualTo(3);
        assertThat(pool.stats().created()).isEqualTo(2);
        assertThat(pool.stats().acquired()).as("refilled with no acquire asking for it").isZero();
    }

    @Test
    void raisingMinIdleAtRuntimeRefillsAtOnce() throws Exception {
        Pool<TestResource> pool = open(builder().maxSize(5));
        assertThat(pool.stats().size()).isZero();
        pool.setMinIdle(4);
        awaitIdle(pool, 4);
        assertThat(pool.stats().created()).isEqualTo(4);
    }
}
