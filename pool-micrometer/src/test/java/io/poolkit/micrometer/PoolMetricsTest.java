package io.poolkit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.poolkit.KeyedPool;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.jdbc.PooledDataSource;
import io.poolkit.PoolTimeoutException;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PoolMetricsTest {
    private final MeterRegistry registry = new SimpleMeterRegistry();

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    @Test
    void gaugesFollowThePoolsStatesTaggedWithItsName() throws Exception {
        try (Pool<TestResource> pool = Pool.builder(new TestFactory()).name("orders").maxSize(3).build()) {
            PoolMetrics.of(pool).tags("service", "shop").bindTo(registry);
            pool.warmUp(2);
            Lease<TestResource> lease = pool.acquire();
            assertThat(gauge("poolkit.resources", "pool", "orders", "state", "leased", "service", "shop")).isEqualTo(1);
            assertThat(gauge("poolkit.resources", "pool", "orders", "state", "idle")).isEqualTo(1);
            assertThat(gauge("poolkit.resources.max", "pool", "orders")).isEqualTo(3);
            assertThat(gauge("poolkit.waiters", "pool", "orders")).isZero();
            assertThat(gauge("poolkit.circuit.state", "pool", "orders")).isZero();
            lease.close();
            assertThat(gauge("poolkit.resources", "pool", "orders", "state", "leased")).isZero();
            assertThat(gauge("poolkit.resources", "pool", "orders", "state", "idle")).isEqualTo(2);
        }
    }

    @Test
    void countersFollowTheTotalsAndDestroysCarryTheirReason() throws Exception {
        try (Pool<TestResource> pool = Pool.builder(new TestFactory()).name("c").maxSize(1).build()) {
            PoolMetrics.of(pool).bindTo(registry);
            try (Lease<TestResource> lease = pool.acquire()) {
                lease.invalidate();
            }
            Lease<TestResource> held = pool.acquire();
            assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(20))).isInstanceOf(PoolTimeoutException.class);
            held.close();
            PoolChecks.assertCountsRule(pool::stats);
            assertThat(counter("poolkit.resources.created", "pool", "c")).isEqualTo(2);
            assertThat(counter("poolkit.resources.destroyed", "pool", "c", "reason", "invalidated")).isEqualTo(1);
            assertThat(counter("poolkit.resources.destroyed", "pool", "c", "reason", "lifetime")).isZero();
            assertThat(counter("poolkit.acquires", "pool", "c")).isEqualTo(2);
            assertThat(counter("poolkit.acquire.timeouts", "pool", "c")).isEqualTo(1);
            assertThat(counter("poolkit.acquire.rejected", "pool", "c")).isZero();
            assertThat(counter("poolkit.create.failures", "pool", "c")).isZero();
        }
    }

    @Test
    void timersRecordTheWaitAndTheHoldOfEveryLease() throws Exception {
        ManualClock clock = new ManualClock();
        try (Pool<TestResource> pool = Pool.builder(new TestFactory()).name("t").ticker(clock).scheduler(clock).build()) {
            PoolMetrics.of(pool).bindTo(registry);
            try (Lease<TestResource> lease = pool.acquire()) {
                clock.advance(Duration.ofMillis(40));
            }
            Timer held = registry.get("poolkit.lease").tags("pool", "t").timer();
            Timer wait = registry.get("poolkit.acquire").tags("pool", "t").timer();
            assertThat(held.count()).isEqualTo(1);
            assertThat(held.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40.0);
            assertThat(wait.count()).isEqualTo(1);
        }
    }

    @Test
    void closeRemovesEveryMeterAndTheListener() throws Exception {
        try (Pool<TestResource> pool = Pool.builder(new TestFactory()).name("gone").build()) {
            PoolMetrics metrics = PoolMetrics.of(pool);
            metrics.bindTo(registry);
            assertThat(registry.getMeters()).isNotEmpty();
            metrics.close();
            metrics.close();
            assertThat(registry.getMeters()).isEmpty();
            pool.acquire().close();
            assertThat(registry.find("poolkit.lease").timer()).as("no listener left feeding a timer").isNull();
        }
    }

    @Test
    void bindingTwiceIsRefusedWithAMessage() throws Exception {
        try (Pool<TestResource> pool = Pool.builder(new TestFactory()).name("twice").build()) {
            PoolMetrics metrics = PoolMetrics.of(pool);
            metrics.bindTo(registry);
            assertThatThrownBy(() -> metrics.bindTo(new SimpleMeterRegistry()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already bound");
        }
    }

    @Test
    void keyedPoolShowsTotalsAndTagsTimersByKeyOnlyWhenAsked() throws Exception {
        TestFactory factory = new TestFactory();
        try (KeyedPool<String, TestResource> pool = KeyedPool.builder((String key) -> factory.create())
                .name("hosts").maxSize(2).build()) {
            PoolMetrics.of(pool).keyTag((String key) -> key).bindTo(registry);
            pool.acquire("a").close();
            pool.acquire("b").close();
            Await.until(() -> gauge("poolkit.resources", "pool", "hosts", "state", "idle") == 2,
                    () -> "two idle across keys: " + pool.stats());
            assertThat(counter("poolkit.resources.created", "pool", "hosts")).isEqualTo(2);
            assertThat(registry.get("poolkit.lease").tags("pool", "hosts", "key", "a").timer().count()).isEqualTo(1);
            assertThat(registry.get("poolkit.lease").tags("pool", "hosts", "key", "b").timer().count()).isEqualTo(1);
        }
    }

    @Test
    void aModulePoolIsMeasuredThroughItsStatsAndListener() throws Exception {
        try (PooledDataSource ds = PooledDataSource.builder().url("jdbc:h2:mem:metrics").username("sa").password("")
                .name("db").maxSize(2).build()) {
            PoolMetrics.of(ds.name(), ds::stats).timersFrom(ds::addListener).bindTo(registry);
            try (java.sql.Connection c = ds.getConnection()) {
                assertThat(gauge("poolkit.resources", "pool", "db", "state", "leased")).isEqualTo(1);
            }
            assertThat(counter("poolkit.acquires", "pool", "db")).isEqualTo(1);
            assertThat(registry.get("poolkit.lease").tags("pool", "db").timer().count()).isEqualTo(1);
        }
    }

    @Test
    void keyedPoolWithoutAKeyTagSharesOneTimer() throws Exception {
        TestFactory factory = new TestFactory();
        try (KeyedPool<String, TestResource> pool = KeyedPool.builder((String key) -> factory.create())
                .name("shared").build()) {
            PoolMetrics.of(pool).bindTo(registry);
            pool.acquire("a").close();
            pool.acquire("b").close();
            assertThat(registry.find("poolkit.lease").timers()).hasSize(1);
            assertThat(registry.get("poolkit.lease").tags("pool", "shared").timer().count()).isEqualTo(2);
        }
    }
}
