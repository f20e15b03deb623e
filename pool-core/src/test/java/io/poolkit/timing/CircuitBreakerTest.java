package io.poolkit.timing;

import static io.poolkit.CircuitState.CLOSED;
import static io.poolkit.CircuitState.HALF_OPEN;
import static io.poolkit.CircuitState.OPEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.CircuitOpenException;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolBuilder;
import io.poolkit.PoolTimeoutException;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory.Behaviour;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code circuitBreaker(failures, open)}: after N create failures in a row, acquires that would need
 * a create fail fast for {@code open} (idle resources are still handed out, a full pool still
 * waits); then one trial create closes the circuit or opens it again.
 */
@Timeout(30)
class CircuitBreakerTest extends TimedPoolTest {
    private static final Duration OPEN_30S = Duration.ofSeconds(30);

    private final AtomicReference<Exception> lastFailure = new AtomicReference<>();

    private PoolBuilder<TestResource> breaker() {
        // no back-off between failed creates, so three failures come at once without moving the clock
        return builder().maxSize(2).circuitBreaker(3, OPEN_30S).createRetry(Duration.ZERO, Duration.ZERO).listener(events);
    }

    /** A caller waits 1 s while every create fails: three failures open the circuit at the current time; then it times out. */
    private void openCircuit(Pool<TestResource> pool) throws Exception {
        factory.onCreate = Behaviours.alwaysFailing("backend down", lastFailure);
        int before = factory.createCalls();
        Background<TestResource> caller = acquireInBackground(pool, Duration.ofSeconds(1));
        Await.until(SOON, () -> pool.stats().circuitState() == OPEN && pool.stats().creating() == 0
                && factory.createCalls() == before + 3, () -> "three failures open the circuit: " + pool.stats());
        clock.advance(Duration.ofSeconds(1));
        assertThat(caller.failure(SOON)).isInstanceOf(PoolTimeoutException.class);
    }

    @Test
    void circuitOpensAfterConsecutiveCreateFailuresAndAcquireFailsFast() throws Exception {
        Pool<TestResource> pool = open(breaker());
        openCircuit(pool); // opened at 0:00, now 0:01
        Exception opening = lastFailure.get();

        assertThat(pool.stats().circuitState()).isEqualTo(OPEN);
        assertThat(events.circuit()).containsExactly("circuitOpened");
        assertThat(events.of("circuitOpened").get(0).throwable()).isSameAs(opening);

        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(10)))
                .isInstanceOf(CircuitOpenException.class)
                .hasMessageContaining("circuit open")
                .hasCauseReference(opening);
        assertThat(pool.stats().rejected()).isEqualTo(1);
        assertThat(events.of("rejected")).singleElement()
                .satisfies(e -> assertThat(e.throwable()).isInstanceOf(CircuitOpenException.class));

        clock.advance(OPEN_30S.minusSeconds(1).minusNanos(1)); // 1 ns before the open period ends
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(10))).isInstanceOf(CircuitOpenException.class);
        assertThat(pool.stats().rejected()).isEqualTo(2);
        assertThat(pool.stats().circuitState()).isEqualTo(OPEN);
        assertThat(factory.createCalls()).as("the factory is not called while the circuit is open").isEqualTo(3);
    }

    @Test
    void idleResourcesAreStillHandedOutWhileOpen() throws Exception {
        Pool<TestResource> pool = open(breaker());
        Lease<TestResource> held = pool.acquire(SOON);
        TestResource r = held.get();
        openCircuit(pool);
        int calls = factory.createCalls(); // r's create and the three failures
        held.close();

        try (Lease<TestResource> lease = pool.acquire(Duration.ofSeconds(10))) {
            assertThat(lease.get()).isSameAs(r);
            lease.get().touch();
            assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(10)))
                    .as("nothing idle and room to create: fail fast")
                    .isInstanceOf(CircuitOpenException.class);
        }
        assertThat(factory.createCalls()).as("no create while open").isEqualTo(calls);
        assertThat(pool.stats().rejected()).isEqualTo(1);
    }

    @Test
    void whenEverySlotIsTakenAnAcquireWaitsForAReturnEvenWhileOpen() throws Exception {
        Pool<TestResource> pool = open(breaker());
        Lease<TestResource> held = pool.acquire(SOON);
        TestResource r = held.get();
        openCircuit(pool);
        pool.resize(1); // no room to create: the one slot is leased

        Background<TestResource> waiter = acquireInBackground(pool, Duration.ofSeconds(10));
        Await.until(SOON, () -> pool.stats().waiting() == 1 || waiter.isDone(), () -> "a waiter: " + pool.stats());
        assertThat(waiter.isDone()).as("not failed fast: it waits for a return").isFalse();
        held.close();

        assertThat(waiter.get(SOON)).isSameAs(r);
        assertThat(pool.stats().rejected()).isZero();
        assertThat(pool.stats().circuitState()).isEqualTo(OPEN);
    }

    @Test
    void afterTheOpenPeriodOneTrialCreateRunsAndItsSuccessClosesTheCircuit() throws Exception {
        Pool<TestResource> pool = open(breaker());
        openCircuit(pool); // opened at 0:00, now 0:01
        CountDownLatch trial = latch();
        factory.onCreate = Behaviour.stalling(trial);

        clock.advance(OPEN_30S.minusSeconds(1).minusNanos(1));
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(10))).isInstanceOf(CircuitOpenException.class);
        clock.advance(Duration.ofNanos(1)); // 0:30, the open period is over

        Background<TestResource> caller = acquireInBackground(pool, Duration.ofSeconds(10));
        Await.until(SOON, () -> pool.stats().circuitState() == HALF_OPEN && factory.createCalls() == 4,
                () -> "one trial create in flight: " + pool.stats());
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(10)))
                .as("while the trial runs, other acquires needing a create still fail fast")
                .isInstanceOf(CircuitOpenException.class);
        assertThat(factory.createCalls()).as("exactly one trial").isEqualTo(4);

        trial.countDown();
        assertThat(caller.get(SOON)).as("the trial's resource goes to the waiting caller").isNotNull();
        assertThat(pool.stats().circuitState()).isEqualTo(CLOSED);
        assertThat(events.circuit()).containsExactly("circuitOpened", "circuitHalfOpen", "circuitClosed");

        try (Lease<TestResource> a = pool.acquire(SOON); Lease<TestResource> b = pool.acquire(SOON)) {
            assertThat(a.get()).isNotSameAs(b.get());
        }
        assertThat(pool.stats().created()).isEqualTo(2);
    }

    @Test
    void aFailedTrialOpensTheCircuitAgainForAnotherOpenPeriod() throws Exception {
        Pool<TestResource> pool = open(breaker());
        openCircuit(pool); // opened at 0:00, now 0:01
        clock.advance(OPEN_30S.minusSeconds(1)); // 0:30

        Background<TestResource> caller = acquireInBackground(pool, Duration.ofSeconds(1));
        Await.until(SOON, () -> factory.createCalls() == 4 && events.of("circuitOpened").size() == 2
                && pool.stats().creating() == 0, () -> "the trial failed: " + pool.stats());
        Exception trialFailure = lastFailure.get();
        assertThat(pool.stats().circuitState()).isEqualTo(OPEN);
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(10)))
                .isInstanceOf(CircuitOpenException.class).hasCauseReference(trialFailure);
        clock.advance(Duration.ofSeconds(1));
        assertThat(caller.failure(SOON)).isInstanceOf(PoolTimeoutException.class);

        clock.advance(OPEN_30S.minusSeconds(1).minusNanos(1)); // 1 ns before 1:00
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(10)))
                .as("open again for a full period from the failed trial").isInstanceOf(CircuitOpenException.class);
        assertThat(factory.createCalls()).isEqualTo(4);

        clock.advance(Duration.ofNanos(1));
        factory.onCreate = Behaviour.normal();
        try (Lease<TestResource> lease = pool.acquire(SOON)) {
            lease.get().touch();
        }
        assertThat(pool.stats().circuitState()).isEqualTo(CLOSED);
        assertThat(events.circuit())
                .containsExactly("circuitOpened", "circuitHalfOpen", "circuitOpened", "circuitHalfOpen", "circuitClosed");
    }

    @Test
    void minIdleRefillRunsTheTrialCreateWhenTheOpenPeriodEnds() throws Exception {
        factory.onCreate = Behaviours.alwaysFailing("backend down", lastFailure);
        Pool<TestResource> pool = open(builder().maxSize(2).minIdle(1).circuitBreaker(3, Duration.ofSeconds(10))
                .createRetry(Duration.ZERO, Duration.ZERO).maintenanceInterval(Duration.ofMinutes(1)).listener(events));
        Await.until(SOON, () -> pool.stats().circuitState() == OPEN && pool.stats().creating() == 0
                && factory.createCalls() == 3, () -> "the minIdle refill's failures open the circuit: " + pool.stats());
        factory.onCreate = Behaviour.normal();

        clock.advance(Duration.ofSeconds(10));

        Await.until(SOON, () -> pool.stats().idle() == 1,
                () -> "minIdle refilled by a trial create when the open period ended (0:10), not only at the next"
                        + " maintenance run (1:00): " + pool.stats() + ", circuit events " + events.circuit());
        assertThat(events.circuit()).containsExactly("circuitOpened", "circuitHalfOpen", "circuitClosed");
    }
}
