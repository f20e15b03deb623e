package io.poolkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rule 5's normal mode: a return that finds callers waiting leaves its resource idle and then
 * yields while it is still idle (at most {@link Dispatcher#RETURN_YIELDS} times), so the awake
 * waiter gets a CPU before the returner's next acquire takes the resource back. Before, a return
 * that found a waiter already awake (the WOKEN token held) did not yield at all, and one that woke
 * the oldest yielded once whatever happened to the resource; on 2 cores the woken waiter then lost
 * nearly every race and aged into hand-off mode. The waiter here holds the token and never runs (its
 * thread is never started), so what the return does is all there is to see; the coarse clock's
 * nudge is stopped, since it would hand the idle resource to that waiter.
 */
@Timeout(60)
class ReturnYieldsToAnAwakeWaiterTest {
    private Pool<TestResource> pool;
    private CorePool<TestResource> core;
    private Waiter<TestResource> awake;

    private Lease<TestResource> heldWithAnAwakeWaiter() throws Exception {
        // a fairness no test reaches: the return never turns hand-off mode on
        pool = Pool.builder(() -> new TestResource(1)).maxSize(1).fairness(Duration.ofSeconds(60)).build();
        pool.warmUp(1);
        core = (CorePool<TestResource>) pool;
        core.dispatcher.stopNudges();
        Lease<TestResource> held = pool.acquire();
        awake = new Waiter<>(new Thread(() -> { }, "never-started"), core.clock.read());
        core.queue.enqueue(awake, false); // an arrival takes the WOKEN token while nobody holds it
        assertThat(GateProbe.woken(pool)).as("the waiter holds the token: %s", GateProbe.describe(pool)).isTrue();
        assertThat(GateProbe.handOff(pool)).isFalse();
        return held;
    }

    @AfterEach
    void closePool() throws InterruptedException {
        if (pool == null) {
            return;
        }
        if (awake != null && awake.cancel()) {
            core.queue.unlink(awake);
        }
        core.dispatcher.yielder = Thread::yield;
        core.dispatcher.startNudges();
        pool.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void aReturnThatFindsAWaiterAwakeYieldsWhileItsResourceStaysIdle() throws Exception {
        Lease<TestResource> held = heldWithAnAwakeWaiter();
        AtomicInteger yields = new AtomicInteger();
        core.dispatcher.yielder = yields::incrementAndGet;
        held.close();
        assertThat(yields.get()).as("yields of the returning thread (before: none, the token being held)")
                .isEqualTo(Dispatcher.RETURN_YIELDS);
        assertThat(pool.stats().idle()).as("nobody took it: still idle, for whoever comes").isEqualTo(1);
        assertThat(GateProbe.handOff(pool)).isFalse();
    }

    @Test
    void theReturningThreadStopsYieldingOnceItsResourceIsTaken() throws Exception {
        Lease<TestResource> held = heldWithAnAwakeWaiter();
        AtomicInteger yields = new AtomicInteger();
        AtomicReference<Optional<Lease<TestResource>>> taken = new AtomicReference<>(Optional.empty());
        core.dispatcher.yielder = () -> {
            if (yields.incrementAndGet() == 1) {
                taken.set(pool.tryAcquire()); // another caller takes the resource during the first yield
            }
        };
        held.close();
        assertThat(taken.get()).as("normal mode: a running caller may take the idle resource").isPresent();
        assertThat(yields.get()).as("yields of the returning thread").isEqualTo(1);
        taken.get().get().close();
    }

    @Test
    void aReturnWithNobodyWaitingNeverYields() throws Exception {
        pool = Pool.builder(() -> new TestResource(1)).maxSize(1).build();
        pool.warmUp(1);
        core = (CorePool<TestResource>) pool;
        core.dispatcher.stopNudges();
        AtomicInteger yields = new AtomicInteger();
        core.dispatcher.yielder = yields::incrementAndGet;
        for (int i = 0; i < 3; i++) {
            pool.acquire().close();
        }
        assertThat(yields.get()).isZero();
    }
}
