package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code acquireAsync()}: the same FIFO queue as {@code acquire}, the same limits, completion on the
 * {@code asyncExecutor}, and nothing lost when someone else completes the future.
 */
@Timeout(30)
class AcquireAsyncTest extends ApiTestSupport {
    private final ExecutorService asyncThreads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-async-executor");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stopExecutor() {
        asyncThreads.shutdownNow();
    }

    /** An executor that runs nothing until the test says so, to stage races deterministically. */
    static final class ManualExecutor implements Executor {
        private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable command) {
            queue.add(command);
        }

        int pending() {
            return queue.size();
        }

        void runAll() {
            Runnable r;
            while ((r = queue.poll()) != null) {
                r.run();
            }
        }
    }

    @Test
    void aWaitingFutureCompletesOnTheAsyncExecutor() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).asyncExecutor(asyncThreads));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        CompletableFuture<Lease<TestResource>> pending = pool.acquireAsync();
        CompletableFuture<String> completedOn = pending.thenApply(l -> {
            l.close();
            return Thread.currentThread().getName();
        });
        assertThat(pending).isNotDone();
        held.close();
        assertThat(completedOn.get(10, TimeUnit.SECONDS)).isEqualTo("test-async-executor");
    }

    @Test
    void aFutureFailedByShutdownCompletesOnTheAsyncExecutorNotInsideClose() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).asyncExecutor(asyncThreads));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        CompletableFuture<Lease<TestResource>> pending = pool.acquireAsync();
        CompletableFuture<String> failedOn = pending.handle((l, e) -> {
            if (!(e instanceof PoolClosedException)) {
                throw new AssertionError("expected PoolClosedException, got " + l + " / " + e);
            }
            return Thread.currentThread().getName();
        });
        assertThat(pool.stats().waiting()).isEqualTo(1);
        assertThat(pool.shutdown(Duration.ZERO)).as("the held lease was forced").isFalse();
        assertThat(failedOn.get(10, TimeUnit.SECONDS)).isEqualTo("test-async-executor");
        held.close(); // dead after the forced shutdown: a no-op
    }

    @Test
    void asyncWaitersQueueFifoWithSyncWaiters() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).asyncExecutor(asyncThreads));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch asyncQueued = new CountDownLatch(1);
        CompletableFuture<Void> asyncDone = new CompletableFuture<>();
        Threads.run(3, Duration.ofSeconds(20), i -> {
            switch (i) {
                case 0 -> {
                    try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(15))) {
                        order.add("sync-1");
                    }
                }
                case 1 -> {
                    Await.until(() -> pool.stats().waiting() == 1, () -> "first sync waiter: " + pool.stats());
                    pool.acquireAsync().thenAccept(l -> {
                        order.add("async-2");
                        l.close();
                    }).whenComplete((v, e) -> {
                        if (e != null) {
                            asyncDone.completeExceptionally(e);
                        } else {
                            asyncDone.complete(null);
                        }
                    });
                    asyncQueued.countDown();
                    Await.until(() -> pool.stats().waiting() == 2, () -> "the async waiter second: " + pool.stats());
                    try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(15))) {
                        order.add("sync-3");
                    }
                }
                default -> {
                    asyncQueued.await();
                    Await.until(() -> pool.stats().waiting() == 3, () -> "three waiters: " + pool.stats());
                    held.close();
                }
            }
        });
        asyncDone.get(10, TimeUnit.SECONDS);
        assertThat(order).containsExactly("sync-1", "async-2", "sync-3");
    }

    @Test
    void asyncWaitersCountTowardMaxWaiters() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).maxWaiters(1).asyncExecutor(asyncThreads));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        CompletableFuture<Lease<TestResource>> queued = pool.acquireAsync();
        assertThat(pool.stats().waiting()).isEqualTo(1);
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(5))).isInstanceOf(PoolExhaustedException.class);
        assertThat(pool.acquireAsync()).isCompletedExceptionally();
        assertThat(pool.stats().rejected()).isEqualTo(2);
        held.close();
        queued.get(10, TimeUnit.SECONDS).close();
    }

    @Test
    void aWaitingFutureFailsWithPoolTimeoutAfterAcquireTimeout() throws Exception {
        ManualClock clock = new ManualClock();
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).acquireTimeout(Duration.ofSeconds(2))
                .ticker(clock).scheduler(clock).asyncExecutor(asyncThreads));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        CompletableFuture<Lease<TestResource>> pending = pool.acquireAsync();
        clock.advance(Duration.ofMillis(1999));
        assertThat(pending).as("not before acquireTimeout").isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("timed out after 2");
        Await.until(() -> pool.stats().timeouts() == 1, () -> "the timeout counted: " + pool.stats());
        Await.until(() -> pool.stats().waiting() == 0, () -> "the waiter left the queue: " + pool.stats());
        held.close();
        assertThat(pool.stats().idle()).as("the returned resource was not handed to the expired future").isEqualTo(1);
    }

    @Test
    void cancellingAWaitingFutureRemovesItsWaiterAndTheNextWaiterGetsTheReturn() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).asyncExecutor(asyncThreads));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        TestResource r = held.get();
        CompletableFuture<Lease<TestResource>> first = pool.acquireAsync();
        CompletableFuture<Lease<TestResource>> second = pool.acquireAsync();
        assertThat(pool.stats().waiting()).isEqualTo(2);
        assertThat(first.cancel(true)).isTrue();
        assertThat(pool.stats().waiting()).as("the cancelled waiter left the queue at once").isEqualTo(1);
        held.close();
        Lease<TestResource> got = second.get(10, TimeUnit.SECONDS);
        assertThat(got.get()).isSameAs(r);
        assertThatThrownBy(first::join).isInstanceOf(CancellationException.class);
        assertThat(pool.stats().leased()).isEqualTo(1);
        got.close();
    }

    @Test
    void aFutureCompletedBySomeoneElseWhileWaitingLeavesTheQueue() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).asyncExecutor(asyncThreads));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        CompletableFuture<Lease<TestResource>> first = pool.acquireAsync();
        CompletableFuture<Lease<TestResource>> second = pool.acquireAsync();
        assertThat(first.complete(null)).isTrue();
        assertThat(pool.stats().waiting()).isEqualTo(1);
        held.close();
        Lease<TestResource> got = second.get(10, TimeUnit.SECONDS);
        assertThat(pool.stats().leased()).isEqualTo(1);
        got.close();
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void aLeaseThePoolCouldNotDeliverToACompletedFutureGoesToTheNextWaiter() throws Exception {
        ManualExecutor executor = new ManualExecutor();
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).asyncExecutor(executor));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        TestResource r = held.get();
        CompletableFuture<Lease<TestResource>> first = pool.acquireAsync();
        CompletableFuture<Lease<TestResource>> second = pool.acquireAsync();
        held.close(); // handed to the first future; its delivery waits in the executor
        assertThat(executor.pending()).isEqualTo(1);
        assertThat(first).isNotDone();
        assertThat(first.complete(null)).as("someone else completes it first").isTrue();
        executor.runAll(); // the delivery finds the future done and passes the resource on
        Await.until(() -> {
            executor.runAll();
            return second.isDone();
        }, () -> "the next waiter served: " + pool.stats());
        Lease<TestResource> got = second.join();
        assertThat(got.get()).isSameAs(r);
        assertThat(first.join()).isNull();
        assertThat(pool.stats().leased()).isEqualTo(1);
        assertThat(pool.stats().waiting()).isZero();
        got.close();
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void aLeaseThePoolCouldNotDeliverToATimedOutFutureGoesToTheNextSyncWaiter() throws Exception {
        ManualExecutor executor = new ManualExecutor();
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).asyncExecutor(executor));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        TestResource r = held.get();
        CompletableFuture<Lease<TestResource>> first = pool.acquireAsync();
        List<TestResource> syncGot = new CopyOnWriteArrayList<>();
        Threads.run(2, Duration.ofSeconds(20), i -> {
            if (i == 0) {
                try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(15))) {
                    syncGot.add(l.get());
                }
                return;
            }
            Await.until(() -> pool.stats().waiting() == 2, () -> "async then sync waiter: " + pool.stats());
            held.close(); // handed to the future; delivery pending
            first.orTimeout(1, TimeUnit.MILLISECONDS);
            Await.until(first::isDone, () -> "orTimeout fired");
            executor.runAll();
        });
        assertThatThrownBy(first::join).hasCauseInstanceOf(TimeoutException.class);
        assertThat(syncGot).containsExactly(r);
        assertThat(pool.stats().leased()).isZero();
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void aTimedOutFutureIsAlreadyCountedWhenItsCallerSeesTheFailure() throws Exception {
        ManualClock clock = new ManualClock();
        List<Long> listenerSaw = new CopyOnWriteArrayList<>();
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).acquireTimeout(Duration.ofSeconds(2))
                .ticker(clock).scheduler(clock).asyncExecutor(asyncThreads)
                .listener(new PoolListener<>() {
                    @Override
                    public void timedOut(long waitNanos) {
                        listenerSaw.add(waitNanos);
                    }
                }));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        CompletableFuture<Lease<TestResource>> pending = pool.acquireAsync();
        CompletableFuture<String> seenByCaller = pending.handle((l, e) ->
                "timeouts=" + pool.stats().timeouts() + ", timedOut events=" + listenerSaw.size());
        clock.advance(Duration.ofSeconds(2));
        String seen = seenByCaller.get(10, TimeUnit.SECONDS);
        held.close();
        assertThat(seen)
                .as("like a sync acquire, the timeout is counted and reported before the caller sees it")
                .isEqualTo("timeouts=1, timedOut events=1");
    }
}
