package io.poolkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A waiter that reaches its fairness threshold takes the queue lock to turn hand-off mode on. If the
 * lock's holder is a dispatcher that takes this very waiter out of the queue and hands it a
 * resource, the hand-off's unpark can be spent by the waiter's own wait for the lock (a parked lock
 * acquisition that fails again parks again, and the permit is gone); the waiter then finds nobody
 * to hand off to, and parked until its deadline with the resource already its own. Found when
 * KeyedPoolTest.maxWaitersIsOneLimitAcrossKeys timed out after 10 s (about 1 run in 20, "idle=1"
 * at the end: the handed resource, held past validateAfterIdle, was given back unchecked at the
 * deadline) and the keyed stress test stranded a caller for 30 s. Here the test thread holds the
 * queue lock while the waiter blocks on it at its threshold, and hands it the resource meanwhile.
 */
@Timeout(60)
class HandOffAtTheThresholdTest {

    @Test
    void aWaiterHandedAResourceWhileItWaitedForTheQueueLockAtItsThresholdIsNotLeftParked() throws Exception {
        // a fairness long enough for the test to take the queue lock before the waiter's threshold
        Pool<TestResource> pool = Pool.builder(() -> new TestResource(1)).maxSize(1).fairness(Duration.ofMillis(300))
                .acquireTimeout(Duration.ofSeconds(30)).build();
        try {
            pool.warmUp(1);
            CorePool<TestResource> core = (CorePool<TestResource>) pool;
            Lease<TestResource> held = pool.acquire();
            CompletableFuture<Lease<TestResource>> got = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    got.complete(pool.acquire());
                } catch (Throwable e) {
                    got.completeExceptionally(e);
                }
            }, "waiter");
            waiter.setDaemon(true);
            waiter.start();
            Await.until(() -> GateProbe.waiters(pool) == 1 && !GateProbe.woken(pool) && waiter.getState() == Thread.State.TIMED_WAITING,
                    () -> "the waiter parked until its threshold: " + GateProbe.describe(pool));
            core.lock.lock();
            assertThat(GateProbe.handOff(pool)).as("still before the threshold").isFalse();
            try {
                // at its threshold the waiter asks for the lock to turn hand-off mode on
                Await.until(() -> core.lock.hasQueuedThread(waiter) && waiter.getState() == Thread.State.WAITING,
                        () -> "the waiter blocked on the queue lock: " + waiter.getState());
                Slot<TestResource> s = core.table.slots[0];
                s.returnLazily(s.word); // the lease comes back ...
                core.dispatcher.dispatch(); // ... and is handed to the waiter, whose unpark its lock wait now spends
                assertThat(GateProbe.waiters(pool)).as("the waiter was taken out of the queue").isZero();
            } finally {
                core.lock.unlock();
            }
            Lease<TestResource> lease = got.get(5, TimeUnit.SECONDS); // before the fix: parked for the 30 s deadline
            assertThat(lease.get()).isNotNull();
            lease.close();
            held.close(); // a no-op: its slot came back above
            waiter.join(10_000);
            assertThat(pool.stats().idle()).isEqualTo(1);
        } finally {
            pool.shutdown(Duration.ofSeconds(1));
        }
    }
}
