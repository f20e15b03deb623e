package io.poolkit.timing;

import static io.poolkit.DestroyReason.VALIDATION_FAILED;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code keepaliveInterval}: idle resources are validated in the background at the interval; failures are replaced. */
@Timeout(30)
class KeepaliveTest extends TimedPoolTest {
    private static final Duration KEEPALIVE = Duration.ofMinutes(1);

    private Pool<TestResource> keepalivePool(int minIdle) {
        // validation on acquire off, so every validation counted here is a keepalive check
        return open(builder().maxSize(4).minIdle(minIdle).keepaliveInterval(KEEPALIVE).idleTimeout(Pool.FOREVER)
                .validateAfterIdle(Pool.FOREVER));
    }

    private static void awaitValidations(List<TestResource> resources, int n) {
        Await.until(SOON, () -> resources.stream().allMatch(r -> r.validations() == n),
                () -> "each idle resource validated " + n + " times: "
                        + resources.stream().map(r -> r + "=" + r.validations()).toList());
    }

    @Test
    void idleResourcesAreValidatedInTheBackgroundEveryKeepaliveInterval() throws Exception {
        Pool<TestResource> pool = keepalivePool(0);
        assertThat(pool.warmUp(2)).isEqualTo(2);
        List<TestResource> idle = factory.alive();

        clock.advance(KEEPALIVE.minusNanos(1));
        awaitIdle(pool, 2);
        assertThat(idle).allSatisfy(r -> assertThat(r.validations()).as("not checked before the interval").isZero());

        clock.advance(Duration.ofNanos(1));
        awaitValidations(idle, 1);
        awaitIdle(pool, 2);

        clock.advance(KEEPALIVE.minusNanos(1));
        awaitIdle(pool, 2);
        assertThat(idle).allSatisfy(r -> assertThat(r.validations()).as("checked once per interval").isEqualTo(1));
        clock.advance(Duration.ofNanos(1));
        awaitValidations(idle, 2);
        awaitIdle(pool, 2);
        assertThat(pool.stats().destroyed()).isZero();
    }

    @Test
    void aResourceUsedRecentlyIsNotCheckedUntilItIdledAFullInterval() throws Exception {
        Pool<TestResource> pool = keepalivePool(0);
        TestResource r = cycle(pool);
        clock.advance(Duration.ofSeconds(40));
        assertThat(cycle(pool)).isSameAs(r); // idle again from 0:40

        clock.advance(Duration.ofSeconds(30)); // 1:10
        awaitIdle(pool, 1);
        assertThat(r.validations()).as("idle only 30 s").isZero();
        clock.advance(Duration.ofSeconds(30)); // 1:40
        Await.until(SOON, () -> r.validations() == 1, () -> "checked a full interval after its last use");
    }

    @Test
    void leasedResourcesAreNotValidatedByKeepalive() throws Exception {
        Pool<TestResource> pool = keepalivePool(0);
        try (Lease<TestResource> lease = pool.acquire(SOON)) {
            clock.advance(KEEPALIVE.multipliedBy(5));
            assertThat(lease.get().validations()).isZero();
            lease.get().touch();
        }
    }

    @Test
    void resourceFailingKeepaliveIsDestroyedAndReplacedUpToMinIdle() throws Exception {
        Pool<TestResource> pool = keepalivePool(2);
        awaitIdle(pool, 2);
        List<TestResource> first = factory.alive();
        TestResource broken = first.get(0);
        TestResource healthy = first.get(1);
        broken.breakIt();

        clock.advance(KEEPALIVE);

        awaitDestroyed(broken);
        Await.until(SOON, () -> pool.stats().idle() == 2 && pool.stats().created() == 3,
                () -> "the broken resource replaced: " + pool.stats());
        assertThat(pool.stats().destroyedBy(VALIDATION_FAILED)).isEqualTo(1);
        assertThat(healthy.destroyed()).isFalse();
        assertThat(factory.alive()).hasSize(2).contains(healthy).doesNotContain(broken);
    }
}
