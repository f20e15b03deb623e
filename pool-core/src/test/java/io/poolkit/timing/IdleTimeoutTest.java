package io.poolkit.timing;

import static io.poolkit.DestroyReason.IDLE_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code idleTimeout}: idle resources above minIdle are destroyed at their own deadline, oldest first. */
@Timeout(30)
class IdleTimeoutTest extends TimedPoolTest {
    private static final Duration IDLE = Duration.ofMinutes(1);

    @Test
    void idleResourceAboveMinIdleIsEvictedAtItsDeadline() throws Exception {
        Pool<TestResource> pool = open(builder().idleTimeout(IDLE).listener(events));
        long idleFrom = clock.read();
        TestResource r = cycle(pool);

        clock.advance(IDLE.minusNanos(1));
        assertThat(pool.stats().idle()).as("still idle 1 ns before its deadline: %s", pool.stats()).isEqualTo(1);
        assertThat(pool.stats().destroyedBy(IDLE_TIMEOUT)).isZero();

        clock.advance(Duration.ofNanos(1));
        assertThat(pool.stats().idle()).as("evicted at its deadline: %s", pool.stats()).isZero();
        assertThat(pool.stats().destroyedBy(IDLE_TIMEOUT)).isEqualTo(1);
        awaitDestroyed(r);
        assertThat(events.of("destroyed"))
                .extracting(EventLog.Event::resource, EventLog.Event::reason, EventLog.Event::at)
                .containsExactly(tuple(r, IDLE_TIMEOUT, idleFrom + IDLE.toNanos()));
    }

    @Test
    void longestIdleResourceIsEvictedFirst() throws Exception {
        Pool<TestResource> pool = open(builder().idleTimeout(IDLE).listener(events));
        Lease<TestResource> a = pool.acquire(SOON);
        Lease<TestResource> b = pool.acquire(SOON);
        Lease<TestResource> c = pool.acquire(SOON);
        long start = clock.read();
        TestResource ra = a.get();
        TestResource rb = b.get();
        TestResource rc = c.get();
        // returned in the order b, c, a, ten seconds apart: b has idled longest
        b.close();
        clock.advance(Duration.ofSeconds(10));
        c.close();
        clock.advance(Duration.ofSeconds(10));
        a.close();

        clock.advance(Duration.ofMinutes(5));

        assertThat(events.of("destroyed"))
                .extracting(EventLog.Event::resource, EventLog.Event::reason, EventLog.Event::at)
                .containsExactly(
                        tuple(rb, IDLE_TIMEOUT, start + IDLE.toNanos()),
                        tuple(rc, IDLE_TIMEOUT, start + IDLE.plusSeconds(10).toNanos()),
                        tuple(ra, IDLE_TIMEOUT, start + IDLE.plusSeconds(20).toNanos()));
        assertThat(pool.stats().destroyedBy(IDLE_TIMEOUT)).isEqualTo(3);
        assertThat(pool.stats().idle()).isZero();
    }

    @Test
    void minIdleResourcesAreKeptPastTheIdleTimeoutAndTheMostRecentlyUsedStay() throws Exception {
        Pool<TestResource> pool = open(builder().maxSize(5).idleTimeout(IDLE).listener(events));
        Lease<TestResource> a = pool.acquire(SOON);
        Lease<TestResource> b = pool.acquire(SOON);
        Lease<TestResource> c = pool.acquire(SOON);
        TestResource ra = a.get();
        TestResource rb = b.get();
        TestResource rc = c.get();
        a.close();
        clock.advance(Duration.ofSeconds(10));
        b.close();
        clock.advance(Duration.ofSeconds(10));
        c.close();
        pool.setMinIdle(2);

        clock.advance(Duration.ofHours(2));

        assertThat(pool.stats().idle()).as("minIdle kept: %s", pool.stats()).isEqualTo(2);
        assertThat(events.of("destroyed")).extracting(EventLog.Event::resource, EventLog.Event::reason)
                .containsExactly(tuple(ra, IDLE_TIMEOUT));
        awaitDestroyed(ra);
        assertThat(factory.alive()).containsExactlyInAnyOrder(rb, rc);
        assertThat(factory.created()).as("no replacement needed").isEqualTo(3);
    }

    @Test
    void useRestartsTheIdleClock() throws Exception {
        Pool<TestResource> pool = open(builder().idleTimeout(IDLE));
        TestResource first = cycle(pool);
        clock.advance(Duration.ofSeconds(50));
        TestResource again = cycle(pool);
        assertThat(again).isSameAs(first);

        clock.advance(IDLE.minusNanos(1));
        assertThat(pool.stats().idle()).as("idle for 1 ns less than idleTimeout since its last use: %s", pool.stats())
                .isEqualTo(1);
        clock.advance(Duration.ofNanos(1));
        assertThat(pool.stats().destroyedBy(IDLE_TIMEOUT)).isEqualTo(1);
        awaitDestroyed(first);
    }

    @Test
    void foreverMeansIdleResourcesAreNeverEvicted() throws Exception {
        Pool<TestResource> pool = open(builder().idleTimeout(Pool.FOREVER).maintenanceInterval(Duration.ofHours(1)));
        assertThat(pool.warmUp(3)).isEqualTo(3);

        clock.advance(Duration.ofDays(60));

        assertThat(pool.stats().idle()).isEqualTo(3);
        assertThat(pool.stats().destroyed()).isZero();
        List<TestResource> alive = factory.alive();
        try (Lease<TestResource> l = pool.acquire(SOON)) {
            assertThat(alive).contains(l.get());
        }
    }
}
