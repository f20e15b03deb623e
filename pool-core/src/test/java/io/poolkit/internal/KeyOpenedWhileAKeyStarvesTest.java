package io.poolkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.KeyedPool;
import io.poolkit.Lease;
import io.poolkit.Scheduler;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.KeyedTestFactory;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The keyed pool's invariant "while any key starves under maxTotal, every key carries PEER_STARVED"
 * (so a resource going idle anywhere is offered up) must hold for a key whose sub-pool opens while
 * the flag goes up. The opening thread reads the flag before the new sub-pool is in the key map, and
 * raising the flag walks that map: in between, the flag went up past the new key, which then kept
 * its idle resources from the starved key. The test stops the opening thread in that window (its
 * first call to the injected scheduler, when the new sub-pool starts its maintenance) and starves
 * another key meanwhile.
 */
@Timeout(60)
class KeyOpenedWhileAKeyStarvesTest {

    /** An injected scheduler that holds one chosen thread at its first call, until released. */
    static final class StopOnce implements Scheduler {
        final ManualClock clock = new ManualClock();
        final CountDownLatch stopped = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile Thread stopIn;

        @Override
        public Cancellable schedule(Runnable task, Duration delay) {
            if (Thread.currentThread() == stopIn) {
                stopIn = null;
                stopped.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return clock.schedule(task, delay);
        }
    }

    @Test
    void aKeyOpenedWhileAnotherStarvesCarriesTheStarvationFlag() throws Exception {
        StopOnce scheduler = new StopOnce();
        KeyedPool<String, TestResource> pool = KeyedPool.builder(new KeyedTestFactory<String>()).maxSize(1).maxTotal(1)
                .ticker(scheduler.clock).scheduler(scheduler).acquireTimeout(Duration.ofSeconds(30)).build();
        try {
            Lease<TestResource> heldByA = pool.acquire("a"); // the one unit of maxTotal
            Thread opener = new Thread(() -> pool.tryAcquire("c"), "opens-c");
            opener.setDaemon(true);
            scheduler.stopIn = opener;
            opener.start();
            assertThat(scheduler.stopped.await(10, TimeUnit.SECONDS)).as("c's sub-pool started, not yet in the key map").isTrue();

            CompletableFuture<Lease<TestResource>> b = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    b.complete(pool.acquire("b"));
                } catch (Throwable e) {
                    b.completeExceptionally(e);
                }
            }, "waiter-b");
            waiter.setDaemon(true);
            waiter.start();
            Await.until(() -> GateProbe.starving(pool) && GateProbe.peerStarved(pool, "a"), () -> "b starved, a flagged");

            scheduler.release.countDown();
            opener.join(10_000);
            assertThat(opener.isAlive()).isFalse();
            assertThat(GateProbe.peerStarved(pool, "c"))
                    .as("c opened while b starved: it must carry PEER_STARVED like every key (c: %s)",
                            GateProbe.describe(GateProbe.gate(pool, "c")))
                    .isTrue();

            heldByA.close(); // a gives its unit up for b
            b.get(10, TimeUnit.SECONDS).close();
            waiter.join(10_000);
            Await.until(() -> !GateProbe.starving(pool) && !GateProbe.peerStarved(pool, "c") && !GateProbe.peerStarved(pool, "a"),
                    () -> "the flag comes down on every key, c included: c " + GateProbe.describe(GateProbe.gate(pool, "c")));
        } finally {
            scheduler.release.countDown();
            pool.shutdown(Duration.ofSeconds(1));
        }
    }
}
