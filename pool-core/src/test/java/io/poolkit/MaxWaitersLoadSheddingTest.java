package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code maxWaiters}: load shedding with {@link PoolExhaustedException}, counted and reported. */
@Timeout(30)
class MaxWaitersLoadSheddingTest extends ApiTestSupport {

    private static final class RejectionRecorder implements PoolListener<TestResource> {
        final List<PoolException> rejected = new CopyOnWriteArrayList<>();

        @Override
        public void rejected(PoolException reason) {
            rejected.add(reason);
        }
    }

    @Test
    void acquireBeyondMaxWaitersFailsAtOnceWithPoolExhaustedNamingTheLimitAndTheCounts() throws Exception {
        RejectionRecorder listener = new RejectionRecorder();
        Pool<TestResource> pool = open(new TestFactory(), b -> b.name("shedding").maxSize(1).maxWaiters(2).listener(listener));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        List<TestResource> served = new CopyOnWriteArrayList<>();
        Threads.run(3, Duration.ofSeconds(20), i -> {
            if (i < 2) {
                try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(15))) {
                    served.add(l.get());
                }
                return;
            }
            Await.until(() -> pool.stats().waiting() == 2, () -> "two waiters: " + pool.stats());
            long start = System.nanoTime();
            PoolExhaustedException e = catchThrowableOfType(PoolExhaustedException.class, () -> pool.acquire(Duration.ofSeconds(10)));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(e).as("the third caller is refused").isNotNull();
            assertThat(tookMs).as("refused at once, not after waiting").isLessThan(1000);
            assertThat(e.getMessage())
                    .startsWith("shedding - ")
                    .contains("maxWaiters=2")
                    .contains("size=1", "idle=0", "leased=1", "waiting=2");
            assertThat(pool.stats().rejected()).isEqualTo(1);
            assertThat(listener.rejected).containsExactly(e);
            assertThat(pool.stats().waiting()).as("the refused caller never queued").isEqualTo(2);
            held.close();
        });
        assertThat(served).hasSize(2);
        assertThat(pool.stats().timeouts()).isZero();
    }

    /**
     * maxWaiters(0) means "never queue behind other callers": a caller that a create can serve (the
     * pool has room) is served, one that would wait for another caller's resource is refused.
     */
    @Test
    void maxWaitersZeroServesIdleAndCreatableButRefusesEveryCallerThatWouldWaitForAnother() throws Exception {
        RejectionRecorder listener = new RejectionRecorder();
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(2).maxWaiters(0).listener(listener));
        assertThat(pool.warmUp(1)).isEqualTo(1);
        Lease<TestResource> first = pool.acquire(Duration.ofSeconds(5));
        Lease<TestResource> created = pool.acquire(Duration.ofSeconds(5));
        assertThat(created.get()).as("room below maxSize: a create serves the second caller").isNotSameAs(first.get());
        assertThat(pool.stats().rejected()).isZero();
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(5)))
                .isInstanceOf(PoolExhaustedException.class)
                .hasMessageContaining("maxWaiters=0");
        assertThat(pool.stats().rejected()).isEqualTo(1);
        assertThat(listener.rejected).hasSize(1).allMatch(e -> e instanceof PoolExhaustedException);
        first.close();
        try (Lease<TestResource> again = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(again.get()).as("the idle resource is handed out again").isNotNull();
        }
        created.close();
        assertThat(pool.stats().rejected()).isEqualTo(1);
    }

    @Test
    void asyncAcquireBeyondMaxWaitersFailsItsFutureAtOnce() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).maxWaiters(1));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        CompletableFuture<Lease<TestResource>> waiting = pool.acquireAsync();
        Await.until(() -> pool.stats().waiting() == 1, () -> "one async waiter: " + pool.stats());
        CompletableFuture<Lease<TestResource>> refused = pool.acquireAsync();
        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(PoolExhaustedException.class);
        assertThat(pool.stats().rejected()).isEqualTo(1);
        held.close();
        waiting.get(10, TimeUnit.SECONDS).close();
    }

    @Test
    void aWaiterThatTimedOutFreesItsPlaceInTheQueue() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).maxWaiters(1));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(50))).isInstanceOf(PoolTimeoutException.class);
        assertThat(pool.stats().waiting()).isZero();
        assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(50)))
                .as("the place is free again: this caller waits and times out, it is not refused")
                .isInstanceOf(PoolTimeoutException.class);
        assertThat(pool.stats().rejected()).isZero();
        assertThat(pool.stats().timeouts()).isEqualTo(2);
        held.close();
    }
}
