package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code suspend()}/{@code resume()}: acquires wait while suspended (failover), then are served. */
@Timeout(30)
class SuspendResumeTest extends ApiTestSupport {

    @Test
    void whileSuspendedAcquiresWaitAndTryAcquireIsEmptyThenResumeServesThem() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(2));
        assertThat(pool.warmUp(1)).isEqualTo(1);
        TestResource idle = f.alive().get(0);
        pool.suspend();
        assertThat(pool.tryAcquire()).as("nothing handed out while suspended, even with an idle resource").isEmpty();
        List<TestResource> got = new CopyOnWriteArrayList<>();
        Threads.run(2, Duration.ofSeconds(20), i -> {
            if (i == 0) {
                try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(15))) {
                    got.add(l.get());
                }
                return;
            }
            Await.until(() -> pool.stats().waiting() == 1, () -> "the caller waits: " + pool.stats());
            assertThat(got).isEmpty();
            assertThat(pool.stats().idle()).isEqualTo(1);
            assertThat(pool.stats().creating()).as("no create for a suspended pool").isZero();
            pool.resume();
        });
        assertThat(got).containsExactly(idle);
        assertThat(pool.tryAcquire()).as("resumed: tryAcquire works again").isPresent().get()
                .satisfies(Lease::close);
    }

    @Test
    void aSuspendedEmptyPoolCreatesNothingUntilResumed() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(2));
        pool.suspend();
        CompletableFuture<Lease<TestResource>> pending = pool.acquireAsync();
        Await.until(() -> pool.stats().waiting() == 1, () -> "an async waiter: " + pool.stats());
        assertThat(pool.stats().size()).isZero();
        assertThat(f.createCalls()).isZero();
        assertThat(pending).isNotDone();
        pool.resume();
        Lease<TestResource> lease = pending.get(10, TimeUnit.SECONDS);
        assertThat(lease.get()).isNotNull();
        lease.close();
    }

    @Test
    void anAcquireTimingOutWhileSuspendedSaysThePoolIsSuspended() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(2));
        assertThat(pool.warmUp(1)).isEqualTo(1);
        pool.suspend();
        assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(50)))
                .isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("suspended");
        pool.resume();
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).isNotNull();
        }
    }

    @Test
    void leasesHeldWhileSuspendedStillReturnNormally() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(2));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        pool.suspend();
        held.close();
        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().leased()).isZero();
        pool.resume();
    }
}
