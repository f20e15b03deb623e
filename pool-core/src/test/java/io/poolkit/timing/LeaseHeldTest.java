package io.poolkit.timing;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code Lease.held()} reads the pool's clock, so it follows an injected ticker exactly. */
@Timeout(30)
class LeaseHeldTest extends TimedPoolTest {

    @Test
    void heldFollowsTheManualClock() throws Exception {
        Pool<TestResource> pool = open(builder());
        try (Lease<TestResource> lease = pool.acquire(SOON)) {
            assertThat(lease.held()).isEqualTo(Duration.ZERO);
            clock.advance(Duration.ofMillis(1500));
            assertThat(lease.held()).isEqualTo(Duration.ofMillis(1500));
            clock.advance(Duration.ofMinutes(1));
            assertThat(lease.held()).isEqualTo(Duration.ofSeconds(61).plusMillis(500));
            lease.get().touch();
        }
    }

    @Test
    void heldCountsFromTheAcquireNotFromTheCreate() throws Exception {
        Pool<TestResource> pool = open(builder().validateAfterIdle(Pool.FOREVER));
        assertThat(pool.warmUp(1)).isEqualTo(1);
        clock.advance(Duration.ofMinutes(5));
        try (Lease<TestResource> lease = pool.acquire(SOON)) {
            assertThat(lease.held()).isEqualTo(Duration.ZERO);
            clock.advance(Duration.ofSeconds(2));
            assertThat(lease.held()).isEqualTo(Duration.ofSeconds(2));
        }
    }
}
