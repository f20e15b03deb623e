package io.poolkit.timing;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code leakDetection}: a lease held longer is reported once, with the stack that acquired it; switchable at runtime. */
@Timeout(30)
class LeakDetectionTest extends TimedPoolTest {
    private static final Duration LEAK = Duration.ofMinutes(1);

    private static boolean stackMentions(Throwable t, String method) {
        return Arrays.stream(t.getStackTrace()).anyMatch(e -> e.getMethodName().equals(method)
                && e.getClassName().equals(LeakDetectionTest.class.getName()));
    }

    @Test
    void leaseHeldLongerThanLeakDetectionIsReportedOnceWithTheAcquiringStack() throws Exception {
        Pool<TestResource> pool = open(builder().leakDetection(LEAK).listener(events));
        try (Lease<TestResource> lease = pool.acquire(SOON)) {
            clock.advance(LEAK.minusNanos(1));
            assertThat(pool.stats().leaksSuspected()).as("not yet held for leakDetection").isZero();

            clock.advance(Duration.ofNanos(1));
            assertThat(pool.stats().leaksSuspected()).as("reported when held exactly leakDetection").isEqualTo(1);
            assertThat(events.of("leakSuspected")).singleElement().satisfies(e -> {
                assertThat(e.resource()).isSameAs(lease.get());
                assertThat(e.nanos()).isEqualTo(LEAK.toNanos());
                assertThat(e.throwable()).isNotNull();
                assertThat(stackMentions(e.throwable(), "leaseHeldLongerThanLeakDetectionIsReportedOnceWithTheAcquiringStack"))
                        .as("the reported stack shows where the lease was acquired: %s", Arrays.toString(e.throwable().getStackTrace()))
                        .isTrue();
            });

            clock.advance(Duration.ofHours(3));
            assertThat(pool.stats().leaksSuspected()).as("reported once, not again").isEqualTo(1);
            assertThat(events.of("leakSuspected")).hasSize(1);
            lease.get().touch();
        }
        clock.advance(Duration.ofHours(1));
        assertThat(pool.stats().leaksSuspected()).isEqualTo(1);
    }

    @Test
    void leaseReturnedInTimeIsNotReportedAndANewLeaseStartsItsOwnClock() throws Exception {
        Pool<TestResource> pool = open(builder().leakDetection(LEAK).listener(events));
        for (int i = 0; i < 3; i++) {
            try (Lease<TestResource> lease = pool.acquire(SOON)) {
                clock.advance(LEAK.minusSeconds(1));
                lease.get().touch();
            }
        }
        clock.advance(Duration.ofHours(1));
        assertThat(pool.stats().leaksSuspected()).isZero();
        assertThat(events.of("leakSuspected")).isEmpty();
    }

    @Test
    void leakDetectionSwitchedOnAtRuntimeReportsLeasesTakenAfterward() throws Exception {
        Pool<TestResource> pool = open(builder().listener(events));
        pool.setLeakDetection(LEAK);
        try (Lease<TestResource> lease = pool.acquire(SOON)) {
            clock.advance(LEAK.minusNanos(1));
            assertThat(pool.stats().leaksSuspected()).isZero();
            clock.advance(Duration.ofNanos(1));
            assertThat(pool.stats().leaksSuspected()).isEqualTo(1);
            assertThat(stackMentions(events.of("leakSuspected").get(0).throwable(),
                    "leakDetectionSwitchedOnAtRuntimeReportsLeasesTakenAfterward")).isTrue();
            lease.get().touch();
        }

        pool.setLeakDetection(Pool.FOREVER);
        try (Lease<TestResource> lease = pool.acquire(SOON)) {
            clock.advance(Duration.ofHours(2));
            lease.get().touch();
        }
        assertThat(pool.stats().leaksSuspected()).as("switched off again").isEqualTo(1);
    }

    @Test
    void loweringTheThresholdAtRuntimeAppliesToALeaseAlreadyHeld() throws Exception {
        Pool<TestResource> pool = open(builder().leakDetection(Duration.ofMinutes(10)));
        try (Lease<TestResource> lease = pool.acquire(SOON)) {
            clock.advance(Duration.ofMinutes(2));
            assertThat(pool.stats().leaksSuspected()).isZero();
            pool.setLeakDetection(LEAK);
            clock.runDue();
            assertThat(pool.stats().leaksSuspected()).as("held 2 min, threshold now 1 min").isEqualTo(1);
            lease.get().touch();
        }
    }
}
