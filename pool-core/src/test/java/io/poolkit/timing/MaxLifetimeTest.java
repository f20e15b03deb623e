package io.poolkit.timing;

import static io.poolkit.DestroyReason.LIFETIME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code maxLifetime} + {@code lifetimeJitter}: idle resources are retired by maintenance at their
 * deadline, leased ones on return; jitter spreads the deadlines; minIdle is refilled.
 */
@Timeout(30)
class MaxLifetimeTest extends TimedPoolTest {
    private static final Duration LIFETIME_10M = Duration.ofMinutes(10);

    @Test
    void idleResourceIsRetiredByMaintenanceAtItsLifetime() throws Exception {
        Pool<TestResource> pool = open(builder().maxLifetime(LIFETIME_10M).lifetimeJitter(0)
                .idleTimeout(Pool.FOREVER).listener(events));
        long born = clock.read();
        TestResource r = cycle(pool);

        clock.advance(LIFETIME_10M.minusNanos(1));
        assertThat(pool.stats().idle()).as("alive 1 ns before its lifetime ends: %s", pool.stats()).isEqualTo(1);

        clock.advance(Duration.ofNanos(1));
        assertThat(pool.stats().idle()).as("retired at its lifetime: %s", pool.stats()).isZero();
        assertThat(pool.stats().destroyedBy(LIFETIME)).isEqualTo(1);
        assertThat(events.of("destroyed"))
                .extracting(EventLog.Event::resource, EventLog.Event::reason, EventLog.Event::at)
                .containsExactly(tuple(r, LIFETIME, born + LIFETIME_10M.toNanos()));
        awaitDestroyed(r);
    }

    @Test
    void leasedResourceIsRetiringOnceExpiredAndDestroyedOnReturn() throws Exception {
        Pool<TestResource> pool = open(builder().maxLifetime(LIFETIME_10M).lifetimeJitter(0).idleTimeout(Pool.FOREVER));
        Lease<TestResource> lease = pool.acquire(SOON);
        TestResource r = lease.get();

        clock.advance(LIFETIME_10M.minusNanos(1));
        assertThat(lease.isRetiring()).as("not retiring before its lifetime ends").isFalse();

        clock.advance(Duration.ofNanos(1));
        assertThat(lease.isRetiring()).as("retiring once its lifetime ended").isTrue();
        clock.advance(Duration.ofMinutes(5));
        assertThat(pool.stats().leased()).as("a leased resource is never taken from its holder: %s", pool.stats())
                .isEqualTo(1);
        assertThat(r.destroyed()).isFalse();
        r.touch();

        lease.close();
        assertThat(pool.stats().destroyedBy(LIFETIME)).as("destroyed on return: %s", pool.stats()).isEqualTo(1);
        assertThat(pool.stats().idle()).isZero();
        awaitDestroyed(r);
        try (Lease<TestResource> next = pool.acquire(SOON)) {
            assertThat(next.get()).isNotSameAs(r);
            assertThat(next.isRetiring()).isFalse();
        }
    }

    @Test
    void resourceReturnedJustBeforeItsLifetimeEndsIsRetiredAtItsDeadline() throws Exception {
        // maintenance runs every 45 s while the resource is leased: 0:45, 1:30 ... 9:45, then 10:30
        Pool<TestResource> pool = open(builder().maxLifetime(LIFETIME_10M).lifetimeJitter(0).idleTimeout(Pool.FOREVER)
                .maintenanceInterval(Duration.ofSeconds(45)).listener(events));
        long born = clock.read();
        Lease<TestResource> lease = pool.acquire(SOON);
        TestResource r = lease.get();
        clock.advance(Duration.ofMinutes(9).plusSeconds(50));
        lease.close();
        assertThat(pool.stats().idle()).as("returned before its lifetime ended, so it went idle").isEqualTo(1);

        clock.advance(Duration.ofSeconds(10));

        assertThat(pool.stats().destroyedBy(LIFETIME))
                .as("an idle resource is retired at its lifetime deadline (10:00), not at the next maintenanceInterval"
                        + " tick (10:30); stats %s", pool.stats())
                .isEqualTo(1);
        assertThat(events.of("destroyed")).extracting(EventLog.Event::at).containsExactly(born + LIFETIME_10M.toNanos());
        awaitDestroyed(r);
    }

    @Test
    void anExpiredIdleResourceIsNeverHandedOut() throws Exception {
        Pool<TestResource> pool = open(builder().maxLifetime(LIFETIME_10M).lifetimeJitter(0).idleTimeout(Pool.FOREVER)
                .maintenanceInterval(Duration.ofHours(1)));
        Lease<TestResource> lease = pool.acquire(SOON);
        TestResource old = lease.get();
        clock.advance(Duration.ofMinutes(9));
        lease.close();
        clock.advance(Duration.ofMinutes(1)); // exactly its lifetime

        try (Lease<TestResource> next = pool.acquire(SOON)) {
            assertThat(next.get()).as("the expired resource is retired, not leased").isNotSameAs(old);
            next.get().touch();
        }
        assertThat(pool.stats().destroyedBy(LIFETIME)).isEqualTo(1);
        awaitDestroyed(old);
    }

    @Test
    void withoutJitterEveryResourceExpiresAtTheSameTime() throws Exception {
        Pool<TestResource> pool = open(builder().maxLifetime(LIFETIME_10M).lifetimeJitter(0).idleTimeout(Pool.FOREVER)
                .listener(events));
        long born = clock.read();
        assertThat(pool.warmUp(6)).isEqualTo(6);

        clock.advance(Duration.ofMinutes(30));

        List<EventLog.Event> destroyed = events.of("destroyed");
        assertThat(destroyed).hasSize(6).allSatisfy(e -> {
            assertThat(e.reason()).isEqualTo(LIFETIME);
            assertThat(e.at()).isEqualTo(born + LIFETIME_10M.toNanos());
        });
    }

    @Test
    void jitterSpreadsExpiriesOverTheLastPartOfTheLifetime() throws Exception {
        Pool<TestResource> pool = open(builder().maxSize(20).maxLifetime(LIFETIME_10M).lifetimeJitter(0.5)
                .idleTimeout(Pool.FOREVER).listener(events));
        long born = clock.read();
        assertThat(pool.warmUp(20)).isEqualTo(20);

        clock.advance(Duration.ofMinutes(5));
        assertThat(pool.stats().destroyed()).as("with jitter 0.5 no resource expires before half its lifetime").isZero();

        clock.advance(Duration.ofMinutes(5));

        List<EventLog.Event> destroyed = events.of("destroyed");
        assertThat(destroyed).as("every resource expired by maxLifetime").hasSize(20)
                .allSatisfy(e -> {
                    assertThat(e.reason()).isEqualTo(LIFETIME);
                    assertThat(e.at() - born).isGreaterThan(Duration.ofMinutes(5).toNanos())
                            .isLessThanOrEqualTo(LIFETIME_10M.toNanos());
                });
        Set<Long> minutes = destroyed.stream().map(e -> (e.at() - born) / Duration.ofMinutes(1).toNanos())
                .collect(Collectors.toSet());
        assertThat(minutes).as("expiries spread over the last half of the lifetime, not all at once").hasSizeGreaterThan(1);
        assertThat(destroyed.stream().map(EventLog.Event::at).distinct().count())
                .as("each resource retired at its own deadline").isGreaterThan(10);
    }

    @Test
    void expiredResourcesAreReplacedUpToMinIdle() throws Exception {
        Pool<TestResource> pool = open(builder().maxSize(4).minIdle(2).maxLifetime(LIFETIME_10M).lifetimeJitter(0)
                .idleTimeout(Pool.FOREVER));
        awaitIdle(pool, 2);
        List<TestResource> first = factory.alive();

        clock.advance(LIFETIME_10M);

        assertThat(pool.stats().destroyedBy(LIFETIME)).isEqualTo(2);
        Await.until(SOON, () -> pool.stats().idle() == 2 && pool.stats().created() == 4,
                () -> "two replacements idle: " + pool.stats());
        first.forEach(TimedPoolTest::awaitDestroyed);
        assertThat(factory.alive()).hasSize(2).doesNotContainAnyElementsOf(first);
    }
}
