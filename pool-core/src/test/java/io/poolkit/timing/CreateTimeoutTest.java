package io.poolkit.timing;

import static io.poolkit.DestroyReason.CREATE_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Pool;
import io.poolkit.PoolTimeoutException;
import io.poolkit.ResourceCreationException;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory.Behaviour;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code createTimeout}: a hanging create() counts as failed at the timeout (its worker is
 * interrupted), waiters time out naming it, and a resource that still arrives is destroyed
 * ({@code CREATE_TIMEOUT}) and counted in both created and destroyed.
 */
@Timeout(30)
class CreateTimeoutTest extends TimedPoolTest {
    private static final Duration CREATE_TIMEOUT_5S = Duration.ofSeconds(5);

    private final AtomicInteger interrupts = new AtomicInteger();
    private final Set<Thread> interrupted = ConcurrentHashMap.newKeySet();

    @Test
    void hangingCreateTimesOutTheAcquireWithTheCreateTimeoutAsCause() throws Exception {
        CountDownLatch release = latch();
        factory.onCreate = Behaviours.stallIgnoringInterrupts(release, interrupts, interrupted);
        Pool<TestResource> pool = open(builder().maxSize(2).createTimeout(CREATE_TIMEOUT_5S));

        Background<TestResource> caller = acquireInBackground(pool, Duration.ofSeconds(7));
        Await.until(SOON, () -> factory.createCalls() == 1, () -> "the create started");
        clock.advance(Duration.ofSeconds(7));

        Throwable failure = caller.failure(SOON);
        assertThat(failure).isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("creating resources is failing");
        assertThat(failure.getCause()).isInstanceOf(ResourceCreationException.class)
                .hasMessageContaining("createTimeout");
        assertThat(pool.stats().timeouts()).isEqualTo(1);
        assertThat(pool.stats().createFailures()).isGreaterThanOrEqualTo(1);
        Await.until(SOON, () -> interrupts.get() >= 1, () -> "the hanging create's worker interrupted");
        assertThat(interrupted).allSatisfy(t -> assertThat(t.getName()).startsWith(pool.name() + "-worker-"));

        release.countDown();
        Await.until(SOON, () -> pool.stats().creating() == 0 && pool.stats().destroying() == 0,
                () -> "the hung creates returned: " + pool.stats());
        assertThat(pool.stats().destroyedBy(CREATE_TIMEOUT)).as("the late resource destroyed").isEqualTo(1);
    }

    @Test
    void lateResourceOfATimedOutCreateIsDestroyedAndCountedInCreatedAndDestroyed() throws Exception {
        CountDownLatch release = latch();
        List<Boolean> laterFlags = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        Behaviour stall = Behaviours.stallIgnoringInterrupts(release, interrupts, interrupted);
        factory.onCreate = () -> {
            if (calls.incrementAndGet() == 1) {
                stall.apply();
            } else {
                laterFlags.add(Thread.currentThread().isInterrupted());
            }
        };
        factory.onDestroy = () -> laterFlags.add(Thread.currentThread().isInterrupted());
        Pool<TestResource> pool = open(builder().maxSize(2).minIdle(1).createTimeout(CREATE_TIMEOUT_5S).listener(events));
        Await.until(SOON, () -> factory.createCalls() == 1, () -> "the minIdle create started");

        clock.advance(CREATE_TIMEOUT_5S.minusNanos(1));
        assertThat(pool.stats().createFailures()).as("not yet past createTimeout").isZero();
        assertThat(interrupts.get()).isZero();

        clock.advance(Duration.ofNanos(1));
        assertThat(pool.stats().createFailures()).isEqualTo(1);
        assertThat(events.of("createFailed")).singleElement().satisfies(e ->
                assertThat(e.throwable()).isInstanceOf(ResourceCreationException.class).hasMessageContaining("createTimeout"));
        Await.until(SOON, () -> interrupts.get() == 1, () -> "the worker running the create interrupted");
        assertThat(pool.stats().creating()).as("the timed-out create keeps its slot until create() returns").isEqualTo(1);
        assertThat(pool.stats().created()).isZero();

        release.countDown();
        Await.until(SOON, () -> pool.stats().destroyedBy(CREATE_TIMEOUT) == 1 && pool.stats().creating() == 0
                && factory.destroyed() == 1, () -> "the late resource destroyed: " + pool.stats());
        assertThat(pool.stats().created()).as("the late resource counts as created").isEqualTo(1);
        assertThat(pool.stats().destroyed()).as("and as destroyed").isEqualTo(1);
        assertThat(events.of("destroyed")).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo(CREATE_TIMEOUT));

        clock.advance(Duration.ofSeconds(1)); // past the retry back-off: minIdle refilled
        awaitIdle(pool, 1);
        assertThat(pool.stats().created()).isEqualTo(2);
        assertThat(laterFlags).as("no later create or destroy runs with the timeout's interrupt still set")
                .isNotEmpty().containsOnly(false);
    }
}
