package io.poolkit.timing;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolTimeoutException;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code createRetry(initial, max)}: failed creates are retried after an exponential back-off with
 * jitter (the pause after the n-th failure in a row lies in [b/2, b], b = min(max, initial * 2^(n-1))),
 * the pause is not a create in flight, a waiter keeps waiting through the failures and gets the
 * first resource that is created, and a timeout names the failure while creates keep failing.
 */
@Timeout(30)
class CreateRetryTest extends TimedPoolTest {
    private static final Duration STEP = Duration.ofMillis(1);

    private final AtomicReference<Exception> lastFailure = new AtomicReference<>();

    /** Waits until the n-th failure is recorded and its retry is scheduled (the clock does not move meanwhile). */
    private void awaitFailure(Pool<TestResource> pool, int n) {
        Await.until(SOON, () -> pool.stats().createFailures() == n && pool.stats().creating() == 0
                        && clock.pending() == 2, // the maintenance run and the retry
                () -> "failure " + n + " recorded and its retry scheduled: " + pool.stats() + ", pending " + clock.pending());
    }

    /**
     * Moves the clock 1 ms at a time until a create starts; returns how far it moved. A create that
     * started shows at once: its slot is CREATING before the scheduler task returns.
     */
    private long stepUntilAnAttempt(Pool<TestResource> pool, int callsSoFar, Duration limit) {
        long start = clock.read();
        while (clock.read() - start < limit.plus(STEP).toNanos()) {
            clock.advance(STEP);
            if (pool.stats().creating() > 0 || factory.createCalls() > callsSoFar) {
                return clock.read() - start;
            }
        }
        throw new AssertionError("no new create within " + limit + " after failure " + callsSoFar + ": " + pool.stats());
    }

    @Test
    void failedCreatesAreRetriedAfterAnExponentialBackOffAndTheWaiterGetsTheResource() throws Exception {
        factory.onCreate = Behaviours.failTimes(4, "backend down", lastFailure);
        Pool<TestResource> pool = open(builder().createRetry(Duration.ofSeconds(1), Duration.ofSeconds(4))
                .maintenanceInterval(Duration.ofHours(1)));
        Background<TestResource> caller = acquireInBackground(pool, Duration.ofMinutes(5));

        Duration[] backOff = {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(4)};
        for (int n = 1; n <= 4; n++) {
            awaitFailure(pool, n);
            assertThat(pool.stats().waiting()).as("the caller keeps waiting through failure %s", n).isEqualTo(1);
            assertThat(pool.stats().creating()).as("a create waiting out its back-off is not in flight").isZero();
            Duration b = backOff[n - 1];
            long gap = stepUntilAnAttempt(pool, n, b);
            assertThat(gap).as("pause after failure %s (b = %s): no attempt before b/2, one by b", n, b)
                    .isBetween(b.dividedBy(2).toNanos(), b.toNanos());
        }

        TestResource r = caller.get(SOON);
        assertThat(r).isNotNull();
        assertThat(factory.createCalls()).isEqualTo(5);
        assertThat(pool.stats().createFailures()).isEqualTo(4);
        assertThat(pool.stats().created()).isEqualTo(1);
        assertThat(pool.stats().timeouts()).isZero();
    }

    @Test
    void acquireTimesOutWithTheFactoryFailureAsCauseWhileCreatesKeepFailing() throws Exception {
        factory.onCreate = Behaviours.alwaysFailing("backend down", lastFailure);
        Pool<TestResource> pool = open(builder().createRetry(Duration.ofMillis(10), Duration.ofMillis(100)));
        Background<TestResource> caller = acquireInBackground(pool, Duration.ofSeconds(2));
        driveRetries(pool, caller::isDone, Duration.ofMillis(10), 300);

        Throwable failure = caller.failure(SOON);
        assertThat(failure).isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("acquire timed out")
                .hasMessageContaining("creating resources is failing");
        assertThat(failure.getCause()).as("the factory's own exception").isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("backend down #");
        assertThat(factory.createCalls()).as("creates kept being retried while the caller waited").isGreaterThan(5);
        assertThat(pool.stats().timeouts()).isEqualTo(1);
        assertThat(pool.stats().created()).isZero();
    }

    @Test
    void aTimeoutAfterCreatesRecoveredCarriesNoStaleCreateFailure() throws Exception {
        factory.onCreate = Behaviours.failTimes(2, "backend starting", lastFailure);
        Pool<TestResource> pool = open(builder().maxSize(1).createRetry(Duration.ofSeconds(1), Duration.ofSeconds(1)));
        Background<TestResource> first = acquireInBackground(pool, Duration.ofMinutes(1));
        driveRetries(pool, first::isDone, Duration.ofSeconds(1), 10);
        assertThat(first.get(SOON)).isNotNull();
        assertThat(pool.stats().createFailures()).isEqualTo(2);

        try (Lease<TestResource> held = pool.acquire(SOON)) {
            Background<TestResource> second = acquireInBackground(pool, Duration.ofSeconds(1));
            Await.until(SOON, () -> pool.stats().waiting() == 1, () -> "a waiter: " + pool.stats());
            clock.advance(Duration.ofSeconds(1));
            Throwable failure = second.failure(SOON);
            assertThat(failure).isInstanceOf(PoolTimeoutException.class).hasMessageContaining("every resource is leased");
            assertThat(failure.getCause()).as("creates work again: no create failure to blame").isNull();
            held.get().touch();
        }
    }
}
