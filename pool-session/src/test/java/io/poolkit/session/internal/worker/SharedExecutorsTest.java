package io.poolkit.session.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The check after each execution for snippet work on executors the JDK shares, whose threads the
 * execution did not start (so the leftover-thread rule does not see it): here in the test's own JVM,
 * with tasks on its common pool.
 */
@Timeout(30)
class SharedExecutorsTest {
    @Test
    void anIdleCommonPoolIsNothingPending() {
        assertThat(ForkJoinPool.commonPool().awaitQuiescence(10, TimeUnit.SECONDS)).isTrue();
        assertThat(SharedExecutors.pending(Set.of())).isEmpty();
    }

    @Test
    void aRunningAndAQueuedCommonPoolTaskArePending() throws Exception {
        ForkJoinPool common = ForkJoinPool.commonPool();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ForkJoinTask<?> running = common.submit(() -> {
            started.countDown();
            release.await(20, TimeUnit.SECONDS);
            return null;
        });
        ForkJoinTask<?> queued = common.submit(() -> { });
        try {
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(SharedExecutors.pending(Set.of())).singleElement().asString().startsWith("work on the common ForkJoinPool");
        } finally {
            release.countDown();
        }
        running.get(10, TimeUnit.SECONDS);
        queued.get(10, TimeUnit.SECONDS);
        assertThat(common.awaitQuiescence(10, TimeUnit.SECONDS)).isTrue();
        // Once the pool is quiet nothing is pending, though an idle worker may not have parked yet
        // (the pool's "running" estimate still counts it, which the check must not read as work).
        assertThat(SharedExecutors.pending(Set.of())).isEmpty();
    }

    @Test
    void aWorkerGoingIdleIsNotWork() throws Exception {
        ForkJoinPool common = ForkJoinPool.commonPool();
        for (int i = 0; i < 2_000; i++) {
            common.submit(() -> { }).get(10, TimeUnit.SECONDS);
            assertThat(common.awaitQuiescence(10, TimeUnit.SECONDS)).isTrue();
            assertThat(SharedExecutors.pending(Set.of())).as("round %d", i).isEmpty();
        }
    }

    @Test
    void aDelaySchedulerTheExecutionDidNotStartIsPending() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread delayer = new Thread(() -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, SharedExecutors.DELAYER_THREAD);
        delayer.setDaemon(true);
        delayer.start();
        try {
            assertThat(SharedExecutors.pending(Set.of(delayer))).anyMatch(s -> s.contains("delay scheduler"));
        } finally {
            release.countDown();
            delayer.join(10_000);
        }
        assertThat(delayer.isAlive()).isFalse();
    }
}
