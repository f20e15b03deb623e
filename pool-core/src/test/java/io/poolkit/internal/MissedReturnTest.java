package io.poolkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.KeyedPool;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolBuilder;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.KeyedTestFactory;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fast return publishes a resource with one release store and then reads the gate, with no
 * fence between: in a rare race its read sees the gate from before a waiter queued (or before a
 * starvation flag went up), and the waiter's own look misses the store. Nobody is then woken for
 * the idle resource. These tests make that race happen on purpose — the slot is published with the
 * return's store alone, as a return that read a stale gate leaves it — and check that a waiter is
 * still served within a bound, with the injected ticker standing still (no pool time passes, so
 * only a real-time safety net can serve it) as well as with the system clock. Before the coarse
 * clock's nudge and the keyed rescue ran for injected tickers too, an asynchronous waiter and a
 * starved key waited until their deadline.
 */
@Timeout(60)
class MissedReturnTest {
    /** Far below any deadline in these tests (30 s), far above the nudge's 10 ms tick. */
    private static final Duration SERVED_WITHIN = Duration.ofSeconds(5);

    private Pool<TestResource> pool;
    private KeyedPool<String, TestResource> keyed;

    @AfterEach
    void shutDown() throws InterruptedException {
        if (pool != null) {
            pool.shutdown(Duration.ofSeconds(1));
        }
        if (keyed != null) {
            keyed.shutdown(Duration.ofSeconds(1));
        }
    }

    private Pool<TestResource> open(boolean injected, Duration fairness) throws InterruptedException {
        ManualClock clock = new ManualClock();
        PoolBuilder<TestResource> b = Pool.builder(() -> new TestResource(1)).maxSize(1).fairness(fairness)
                .acquireTimeout(Duration.ofSeconds(30));
        if (injected) {
            b.ticker(clock).scheduler(clock);
        }
        pool = b.build();
        pool.warmUp(1);
        return pool;
    }

    /** What {@link CorePool#release} does to a leased slot, without its read of the gate afterwards. */
    private static void returnMissingEveryone(CorePool<?> core) {
        Slot<?> s = core.table.slots[0];
        long leased = s.word;
        assertThat(s.kindOf(leased)).as("the slot is leased").isEqualTo(Slot.LEASED);
        s.returnLazily(leased);
    }

    @ParameterizedTest(name = "injected ticker {0}, fairness {1}")
    @CsvSource({"true, PT0S", "true, PT0.001S", "true, PT87600H", "false, PT0S", "false, PT0.001S", "false, PT87600H"})
    void aParkedWaiterIsServedAfterAReturnThatMissedIt(boolean injected, Duration fairness) throws Exception {
        Pool<TestResource> p = open(injected, fairness.toHours() > 1000 ? Pool.FOREVER : fairness);
        Lease<TestResource> held = p.acquire();
        CompletableFuture<Lease<TestResource>> got = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                got.complete(p.acquire());
            } catch (Throwable e) {
                got.completeExceptionally(e);
            }
        }, "waiter");
        waiter.setDaemon(true);
        waiter.start();
        // parked, holding no token: only a wake-up, its own threshold, a re-look or the nudge can serve it
        Await.until(() -> GateProbe.waiters(p) == 1 && !GateProbe.woken(p) && waiter.getState() == Thread.State.TIMED_WAITING,
                () -> "the waiter parked: " + GateProbe.describe(p) + " " + waiter.getState());
        returnMissingEveryone((CorePool<?>) p);
        Lease<TestResource> lease = got.get(SERVED_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        lease.close();
        held.close(); // a no-op: the missed return already gave its slot back
        assertThat(p.stats().idle()).isEqualTo(1);
        waiter.join(10_000);
    }

    @ParameterizedTest(name = "injected ticker {0}")
    @CsvSource({"true", "false"})
    void anAsynchronousWaiterIsServedAfterAReturnThatMissedIt(boolean injected) throws Exception {
        Pool<TestResource> p = open(injected, Duration.ofMillis(1));
        Lease<TestResource> held = p.acquire();
        CompletableFuture<Lease<TestResource>> got = p.acquireAsync();
        Await.until(() -> GateProbe.waiters(p) == 1, () -> "the async waiter queued: " + GateProbe.describe(p));
        returnMissingEveryone((CorePool<?>) p);
        // an asynchronous waiter has no thread to look again: before the nudge ran for injected
        // tickers, it waited for the next return or its deadline (30 s of a clock that stands still)
        Lease<TestResource> lease = got.get(SERVED_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        lease.close();
        held.close();
        assertThat(p.stats().idle()).isEqualTo(1);
    }

    @ParameterizedTest(name = "injected ticker {0}")
    @CsvSource({"true", "false"})
    void aStarvedKeyIsServedAfterAnotherKeysReturnMissedTheFlag(boolean injected) throws Exception {
        ManualClock clock = new ManualClock();
        var b = KeyedPool.builder(new KeyedTestFactory<String>()).maxSize(1).maxTotal(1).acquireTimeout(Duration.ofSeconds(30));
        if (injected) {
            b.ticker(clock).scheduler(clock);
        }
        KeyedPool<String, TestResource> kp = b.build();
        keyed = kp;
        Lease<TestResource> heldByA = kp.acquire("a");
        CompletableFuture<Lease<TestResource>> got = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                got.complete(kp.acquire("b"));
            } catch (Throwable e) {
                got.completeExceptionally(e);
            }
        }, "waiter-b");
        waiter.setDaemon(true);
        waiter.start();
        Await.until(() -> GateProbe.starving(kp) && GateProbe.peerStarved(kp, "a"), () -> "key b starved, a flagged");
        // a's lease comes back with the fast return's store alone: its read of the gate saw no flag,
        // so it neither dispatched nor evicted, and b's look for another key's idle resource came first
        returnMissingEveryone(((KeyedPoolImpl<String, TestResource>) kp).subPool("a"));
        Lease<TestResource> lease = got.get(SERVED_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        lease.close();
        heldByA.close();
        waiter.join(10_000);
        assertThat(kp.stats("a").destroyedBy(io.poolkit.DestroyReason.EVICTED_FOR_KEY)).as("a's idle resource made room for b").isEqualTo(1);
    }
}
