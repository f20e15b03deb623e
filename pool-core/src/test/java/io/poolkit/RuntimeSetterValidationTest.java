package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runtime setters and the arguments of a running pool's methods keep the builder's rules: a
 * bad value is refused with the rule and the value, before it changes anything.
 */
@Timeout(30)
class RuntimeSetterValidationTest {
    private TestFactory factory;
    private Pool<TestResource> pool;

    @BeforeEach
    void openPool() {
        factory = new TestFactory();
        pool = Pool.builder(factory).name("runtime-checks").maxSize(10).minIdle(3).build();
    }

    @AfterEach
    void closePool() {
        pool.close();
    }

    // ------------------------------------------------------------------ resize

    @Test
    void resizeToZeroIsRejectedAndMaxSizeStays() {
        assertThatThrownBy(() -> pool.resize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be at least 1, but was 0");
        assertThat(pool.stats().maxSize()).isEqualTo(10);
    }

    @Test
    void resizeToANegativeSizeIsRejected() {
        assertThatThrownBy(() -> pool.resize(-4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be at least 1, but was -4");
    }

    @Test
    void resizeBelowMinIdleIsRejectedNamingBothAndMaxSizeStays() {
        assertThatThrownBy(() -> pool.resize(2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize (2) must not be below minIdle (3)");
        assertThat(pool.stats().maxSize()).isEqualTo(10);
    }

    @Test
    void resizeToMinIdleIsAccepted() {
        pool.resize(3);
        assertThat(pool.stats().maxSize()).isEqualTo(3);
    }

    // ------------------------------------------------------------------ setMinIdle

    @Test
    void negativeMinIdleIsRejected() {
        assertThatThrownBy(() -> pool.setMinIdle(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minIdle must be at least 0, but was -1");
    }

    @Test
    void minIdleAboveMaxSizeIsRejectedNamingBoth() {
        assertThatThrownBy(() -> pool.setMinIdle(11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minIdle (11) must not exceed maxSize (10)");
    }

    /** The refused minIdle must not be half-applied: resize to the old minIdle still works. */
    @Test
    void refusedMinIdleLeavesTheOldOneInPlace() {
        assertThatThrownBy(() -> pool.setMinIdle(11)).isInstanceOf(IllegalArgumentException.class);
        pool.resize(3);
        assertThatThrownBy(() -> pool.resize(2)).hasMessage("maxSize (2) must not be below minIdle (3)");
    }

    // ------------------------------------------------------------------ acquire timeout and leak detection

    @Test
    void negativeAcquireTimeoutIsRejectedNamingTheValue() {
        assertThatThrownBy(() -> pool.setAcquireTimeout(Duration.ofMillis(-250)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("acquireTimeout must not be negative, but was ")
                .message().containsAnyOf("PT-0.25S", "-250 ms");
    }

    @Test
    void nullAcquireTimeoutIsRejected() {
        assertThatThrownBy(() -> pool.setAcquireTimeout(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("acquireTimeout must not be null");
    }

    @Test
    void zeroAndForeverAcquireTimeoutsAreAccepted() {
        pool.setAcquireTimeout(Duration.ZERO);
        pool.setAcquireTimeout(Pool.FOREVER);
    }

    @Test
    void zeroLeakDetectionIsRejectedSayingHowToSwitchItOff() {
        assertThatThrownBy(() -> pool.setLeakDetection(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leakDetection must be more than zero (use Pool.FOREVER to switch it off), but was 0 ms");
    }

    @Test
    void negativeLeakDetectionIsRejected() {
        assertThatThrownBy(() -> pool.setLeakDetection(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("leakDetection must be more than zero")
                .hasMessageContaining("PT-1S");
    }

    @Test
    void nullLeakDetectionIsRejected() {
        assertThatThrownBy(() -> pool.setLeakDetection(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("leakDetection must not be null");
    }

    @Test
    void foreverLeakDetectionSwitchesItOff() {
        pool.setLeakDetection(Duration.ofSeconds(1));
        pool.setLeakDetection(Pool.FOREVER);
    }

    // ------------------------------------------------------------------ acquire, warmUp, shutdown, withResource

    @Test
    void acquireWithANegativeTimeoutIsRejectedBeforeItWaitsOrCounts() {
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must not be negative, but was PT-1S");
        PoolStats st = pool.stats();
        assertThat(st.acquired()).isZero();
        assertThat(st.timeouts()).isZero();
        assertThat(st.waiting()).isZero();
        assertThat(st.leased()).isZero();
    }

    @Test
    void acquireWithANullTimeoutIsRejected() {
        assertThatThrownBy(() -> pool.acquire(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeout must not be null");
        assertThat(pool.stats().leased()).isZero();
    }

    @Test
    void warmUpOfANegativeCountIsRejected() {
        assertThatThrownBy(() -> pool.warmUp(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count must be at least 0, but was -1");
    }

    @Test
    void warmUpOfZeroIsANoOp() throws Exception {
        assertThat(pool.warmUp(0)).isGreaterThanOrEqualTo(0);
    }

    @Test
    void shutdownWithANegativeGraceIsRejectedAndThePoolKeepsServing() throws Exception {
        assertThatThrownBy(() -> pool.shutdown(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("grace must not be negative, but was PT-1S");
        try (Lease<TestResource> lease = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(lease.get()).isNotNull();
        }
    }

    @Test
    void shutdownWithANullGraceIsRejectedAndThePoolKeepsServing() throws Exception {
        assertThatThrownBy(() -> pool.shutdown(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("grace must not be null");
        try (Lease<TestResource> lease = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(lease.get()).isNotNull();
        }
    }

    @Test
    void withResourceOfNullIsRejectedWithoutTakingALease() {
        assertThatThrownBy(() -> pool.withResource(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("fn must not be null");
        assertThat(pool.stats().acquired()).isZero();
        assertThat(pool.stats().leased()).isZero();
    }

    @Test
    void useResourceOfNullIsRejectedWithoutTakingALease() {
        assertThatThrownBy(() -> pool.useResource(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("fn must not be null");
        assertThat(pool.stats().acquired()).isZero();
    }

    @Test
    void addListenerOfNullIsRejected() {
        assertThatThrownBy(() -> pool.addListener(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("listener must not be null");
    }

    @Test
    void countsRuleHoldsAfterEveryRefusedCall() throws Exception {
        for (Runnable bad : new Runnable[] {
            () -> pool.resize(0), () -> pool.setMinIdle(-1), () -> pool.setAcquireTimeout(null),
            () -> pool.setLeakDetection(Duration.ZERO),
        }) {
            assertThatThrownBy(bad::run).isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class);
        }
        PoolChecks.assertBooksBalance(pool::stats, factory);
    }
}
