package io.poolkit.timing;

import static io.poolkit.DestroyReason.VALIDATION_FAILED;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolTimeoutException;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory.Behaviour;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code validateAfterIdle} and {@code validationTimeout}: validation on acquire happens only after
 * the resource idled that long, a failing check destroys the resource and the caller gets another,
 * and a hanging validator holds neither the acquire past its bound nor the resource for good.
 */
@Timeout(30)
class ValidateOnAcquireTest extends TimedPoolTest {

    @Test
    void resourceIsValidatedOnAcquireOnlyAfterIdlingValidateAfterIdle() throws Exception {
        Pool<TestResource> pool = open(builder().validateAfterIdle(Duration.ofSeconds(1)));
        TestResource r = cycle(pool);
        assertThat(r.validations()).as("a fresh resource has not idled").isZero();

        clock.advance(Duration.ofSeconds(1).minusNanos(1));
        assertThat(cycle(pool)).isSameAs(r);
        assertThat(r.validations()).as("idle 1 ns less than validateAfterIdle: not validated").isZero();

        clock.advance(Duration.ofSeconds(1));
        assertThat(cycle(pool)).isSameAs(r);
        assertThat(r.validations()).as("idle exactly validateAfterIdle: validated").isEqualTo(1);

        clock.advance(Duration.ofMillis(300));
        assertThat(cycle(pool)).isSameAs(r);
        assertThat(r.validations()).as("the idle time counts from the last return").isEqualTo(1);
    }

    @Test
    void zeroValidateAfterIdleValidatesEveryAcquire() throws Exception {
        Pool<TestResource> pool = open(builder().validateAfterIdle(Duration.ZERO));
        TestResource r = cycle(pool);
        for (int i = 0; i < 4; i++) {
            assertThat(cycle(pool)).isSameAs(r);
        }
        assertThat(r.validations()).as("five acquires, no time passing, five validations").isEqualTo(5);
    }

    @Test
    void resourceFailingValidationIsDestroyedAndTheCallerGetsAnother() throws Exception {
        Pool<TestResource> pool = open(builder().validateAfterIdle(Duration.ofSeconds(1)).listener(events));
        TestResource broken = cycle(pool);
        broken.breakIt();
        clock.advance(Duration.ofSeconds(2));

        try (Lease<TestResource> lease = pool.acquire(SOON)) {
            assertThat(lease.get()).isNotSameAs(broken);
            lease.get().touch();
        }

        assertThat(broken.validations()).isEqualTo(1);
        assertThat(pool.stats().destroyedBy(VALIDATION_FAILED)).isEqualTo(1);
        assertThat(events.of("destroyed")).extracting(EventLog.Event::resource).containsExactly(broken);
        awaitDestroyed(broken);
    }

    @Test
    void validatorThatThrowsCountsAsAFailedValidation() throws Exception {
        Pool<TestResource> pool = open(builder().validateAfterIdle(Duration.ZERO));
        TestResource first = cycle(pool);
        factory.onValidate = Behaviours.once(Behaviour.failing("probe exploded"));

        TestResource second = cycle(pool);

        assertThat(second).isNotSameAs(first);
        assertThat(pool.stats().destroyedBy(VALIDATION_FAILED)).isEqualTo(1);
        awaitDestroyed(first);
    }

    @Test
    void hangingValidatorIsAbandonedAtValidationTimeoutAndTheResourceDestroyedWhenItReturns() throws Exception {
        Pool<TestResource> pool = open(builder().maxSize(2).validateAfterIdle(Duration.ZERO)
                .validationTimeout(Duration.ofSeconds(1)));
        TestResource hung = cycle(pool);
        CountDownLatch release = latch();
        factory.onValidate = Behaviours.once(Behaviour.stalling(release));

        Background<TestResource> caller = acquireInBackground(pool, Duration.ofSeconds(30));
        Await.until(SOON, () -> hung.validations() == 2, () -> "the caller's validation started");
        clock.advance(Duration.ofSeconds(1).minusNanos(1));
        assertThat(caller.isDone()).as("still within validationTimeout").isFalse();
        clock.advance(Duration.ofNanos(1));

        TestResource got = caller.get(SOON);
        assertThat(got).as("the caller got another resource while the validator still hangs").isNotSameAs(hung);
        assertThat(release.getCount()).isEqualTo(1);
        assertThat(hung.destroyed()).isFalse();
        assertThat(pool.stats().leased()).as("the hung check still owns its resource: %s", pool.stats()).isEqualTo(1);

        release.countDown();
        awaitDestroyed(hung);
        assertThat(pool.stats().destroyedBy(VALIDATION_FAILED))
                .as("a check that overran is a failed check, whatever it finally answered").isEqualTo(1);
    }

    @Test
    void hangingValidatorDoesNotHoldAnAcquirePastItsOwnDeadline() throws Exception {
        // validationTimeout (5 s) is longer than the acquire's own bound (1 s): the check must be cut at 1 s
        Pool<TestResource> pool = open(builder().maxSize(2).validateAfterIdle(Duration.ZERO)
                .validationTimeout(Duration.ofSeconds(5)));
        TestResource hung = cycle(pool);
        CountDownLatch release = latch();
        factory.onValidate = Behaviours.once(Behaviour.stalling(release));

        Background<TestResource> caller = acquireInBackground(pool, Duration.ofSeconds(1));
        Await.until(SOON, () -> hung.validations() == 2, () -> "the caller's validation started");
        clock.advance(Duration.ofSeconds(1));

        Await.until(Duration.ofSeconds(2), caller::isDone,
                () -> "acquire(1 s) to end by its deadline while the validator hangs (the clock is 1 s past it);"
                        + " it is still waiting for the check, bounded by validationTimeout (5 s) instead of the time left."
                        + " stats " + pool.stats());
        try {
            assertThat(caller.get(SOON)).as("if it got a resource, not the one under the hung check").isNotSameAs(hung);
        } catch (PoolTimeoutException expected) {
            // ending with a timeout at the deadline is as good
        }
    }

    @Test
    void waiterValidationIsBoundedByTheTimeLeftToItsDeadline() throws Exception {
        Pool<TestResource> pool = open(builder().maxSize(1).validateAfterIdle(Duration.ZERO)
                .validationTimeout(Duration.ofSeconds(5)));
        Lease<TestResource> held = pool.acquire(SOON);
        TestResource hung = held.get();
        CountDownLatch release = latch();
        factory.onValidate = Behaviour.stalling(release);

        Background<TestResource> caller = acquireInBackground(pool, Duration.ofSeconds(2));
        Await.until(SOON, () -> pool.stats().waiting() == 1, () -> "a waiter: " + pool.stats());
        clock.advance(Duration.ofSeconds(1));
        held.close(); // handed to the waiter, whose check now hangs with 1 s left
        Await.until(SOON, () -> hung.validations() == 2, () -> "the waiter's validation started");
        clock.advance(Duration.ofSeconds(1));

        Throwable failure = caller.failure(Duration.ofSeconds(2));
        assertThat(failure).isInstanceOf(PoolTimeoutException.class);
        assertThat(pool.stats().timeouts()).isEqualTo(1);
        release.countDown();
        awaitDestroyed(hung);
        assertThat(pool.stats().destroyedBy(VALIDATION_FAILED)).isEqualTo(1);
    }
}
