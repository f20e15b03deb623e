package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code shutdown}/{@code close}: waiters released, idempotent, interrupt-safe, dead leases that say so. */
@Timeout(60)
class ShutdownAndCloseTest extends ApiTestSupport {

    @Test
    void waitingCallersGetPoolClosedException() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.name("closing").maxSize(1));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CompletableFuture<Lease<TestResource>> async = new CompletableFuture<>();
        Threads.run(3, Duration.ofSeconds(30), i -> {
            if (i < 2) {
                try {
                    pool.acquire(Duration.ofSeconds(20)).close();
                } catch (PoolClosedException e) {
                    failures.add(e);
                }
                return;
            }
            Await.until(() -> pool.stats().waiting() == 2, () -> "two sync waiters: " + pool.stats());
            pool.acquireAsync().whenComplete((l, e) -> {
                if (e != null) {
                    async.completeExceptionally(e);
                } else {
                    async.complete(l);
                }
            });
            Await.until(() -> pool.stats().waiting() == 3, () -> "and an async one: " + pool.stats());
            long start = System.nanoTime();
            assertThat(pool.shutdown(Duration.ofMillis(100))).as("the held lease did not come back").isFalse();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        });
        assertThat(failures).hasSize(2).allSatisfy(e -> assertThat(e)
                .hasMessageStartingWith("closing - ").hasMessageContaining("closed"));
        assertThatThrownBy(() -> async.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(PoolClosedException.class);
        assertThat(pool.stats().waiting()).isZero();
        held.close(); // dead: a no-op
    }

    @Test
    void aSecondShutdownReturnsTheFirstOnesResult() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(2));
        pool.acquire(Duration.ofSeconds(5)).close();
        assertThat(pool.shutdown(Duration.ofSeconds(5))).isTrue();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(pool.shutdown(Duration.ofSeconds(5))).isTrue();
            pool.close();
        });

        Pool<TestResource> forced = open(new TestFactory(), b -> b.maxSize(2));
        Lease<TestResource> kept = forced.acquire(Duration.ofSeconds(5));
        assertThat(forced.shutdown(Duration.ZERO)).isFalse();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(forced.shutdown(Duration.ofSeconds(5))).isFalse());
        kept.close();
    }

    @Test
    void everyAccessPathFailsWithPoolClosedAfterShutdown() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(2));
        pool.close();
        assertThatThrownBy(() -> pool.acquire()).isInstanceOf(PoolClosedException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(1))).isInstanceOf(PoolClosedException.class);
        assertThatThrownBy(pool::tryAcquire).isInstanceOf(PoolClosedException.class);
        assertThat(pool.acquireAsync()).isCompletedExceptionally();
        assertThatThrownBy(() -> pool.acquireAsync().join()).hasCauseInstanceOf(PoolClosedException.class);
        assertThatThrownBy(() -> pool.withResource(r -> r)).isInstanceOf(PoolClosedException.class);
        assertThatThrownBy(() -> pool.warmUp(1)).isInstanceOf(PoolClosedException.class);
    }

    @Test
    void closeOnAnInterruptedThreadForcesTheShutdownAndKeepsTheInterruptFlag() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(2).shutdownTimeout(Duration.ofSeconds(20)));
        Lease<TestResource> leaked = pool.acquire(Duration.ofSeconds(5));
        long start = System.nanoTime();
        Thread.currentThread().interrupt();
        pool.close();
        boolean flag = Thread.interrupted();
        assertThat(flag).as("the interrupt flag survives close()").isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("forced, not the 20 s grace").isLessThan(5000);
        assertThatThrownBy(leaked::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("shut down");
        assertThat(pool.stats().size()).isZero();
    }

    @Test
    void closeOnAnInterruptedThreadStillFinishesTheShutdownWhileADestroyIsRunning() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String name = "interrupted-close-" + UUID.randomUUID().toString().substring(0, 8);
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.name(name).jmx(true).maxSize(2));
        assertThat(pool.warmUp(1)).isEqualTo(1);
        CountDownLatch destroyMayEnd = new CountDownLatch(1);
        f.onDestroy = TestFactory.Behaviour.stalling(destroyMayEnd);
        try {
            Thread.currentThread().interrupt();
            pool.close(); // no lease out; the idle resource's destroy is still running
            assertThat(Thread.interrupted()).as("the interrupt flag survives close()").isTrue();
        } finally {
            destroyMayEnd.countDown();
        }
        Await.until(() -> pool.stats().size() == 0, () -> "the destroy finished: " + pool.stats());
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> pool.shutdown(Duration.ZERO),
                "a later shutdown() returns: the interrupted close() must not leave the pool half shut down");
        ObjectName pools = new ObjectName("io.poolkit:type=Pool,*");
        Await.until(() -> server.queryNames(pools, null).stream()
                        .noneMatch(on -> on.toString().contains(name)),
                () -> "the pool's MXBean unregistered after the shutdown");
    }

    @Test
    void aLeaseUsedAfterCloseSaysWhatHappenedAndWhatToDo() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.name("lease-use").maxSize(1));
        Lease<TestResource> closed = pool.acquire(Duration.ofSeconds(5));
        closed.close();
        assertThatThrownBy(closed::get).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("lease-use - ")
                .hasMessageContaining("used after close")
                .hasMessageContaining("returned to the pool")
                .hasMessageContaining("acquire a new lease");

        Lease<TestResource> current = pool.acquire(Duration.ofSeconds(5));
        assertThatThrownBy(closed::get).as("a stale lease stays dead while another holds the resource")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("used after close");
        closed.close(); // a no-op, never a second return
        closed.invalidate(); // a no-op after close
        assertThat(pool.stats().leased()).isEqualTo(1);
        assertThat(current.get().destroyed()).isFalse();

        current.invalidate();
        assertThatThrownBy(current::get).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("used after close").hasMessageContaining("destroyed");
        current.close(); // a no-op after invalidate
        Await.until(() -> pool.stats().destroyed() == 1 && pool.stats().destroying() == 0, () -> "destroyed once: " + pool.stats());

        Lease<TestResource> forced = pool.acquire(Duration.ofSeconds(5));
        assertThat(pool.shutdown(Duration.ZERO)).isFalse();
        assertThatThrownBy(forced::get).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shut down").hasMessageContaining("acquire a new lease");
        forced.close();
        forced.invalidate();
    }
}
