package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A waiter is handed a resource that then fails its check on the waiter's side (here the
 * {@code onAcquire} hook throws; validation on acquire takes the same path). The resource is
 * destroyed, and the waiter, who was already admitted and queued first, must go on waiting in its
 * place: first come, first served (DESIGN rule 5), and never refused by {@code maxWaiters}, which
 * sheds load only "at once", on arrival.
 *
 * <p>The hook blocks on the bad resource until the test has queued a second caller behind; the bad
 * resource's destroy blocks until the first waiter is back in the queue, so the replacement is
 * created only then.
 */
@Timeout(30)
class FailedCheckOnHandOffTest extends ApiTestSupport {
    private final CountDownLatch hookMayThrow = new CountDownLatch(1);
    private final CountDownLatch hookEntered = new CountDownLatch(1);
    private final CountDownLatch destroyMayEnd = new CountDownLatch(1);
    private volatile TestResource bad;

    private Pool<TestResource> pool(TestFactory f, int maxWaiters) {
        return open(f, b -> b.maxSize(1).maxWaiters(maxWaiters).onAcquire(r -> {
            if (r == bad) {
                hookEntered.countDown();
                hookMayThrow.await(20, TimeUnit.SECONDS);
                throw new IllegalStateException("cannot activate " + r);
            }
        }));
    }

    @Test
    void aWaiterWhoseHandedOverResourceFailsItsCheckIsServedBeforeLaterWaiters() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = pool(f, Integer.MAX_VALUE);
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        bad = held.get();
        List<String> order = new CopyOnWriteArrayList<>();
        try {
            Threads.run(3, Duration.ofSeconds(25), i -> {
                switch (i) {
                    case 0 -> {
                        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(20))) {
                            order.add("first");
                        }
                    }
                    case 1 -> {
                        assertThat(hookEntered.await(20, TimeUnit.SECONDS)).isTrue();
                        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(20))) {
                            order.add("second");
                        }
                    }
                    default -> {
                        Await.until(() -> pool.stats().waiting() == 1, () -> "the first waiter: " + pool.stats());
                        f.onDestroy = TestFactory.Behaviour.stalling(destroyMayEnd);
                        held.close(); // handed to the first waiter, whose hook now blocks
                        assertThat(hookEntered.await(20, TimeUnit.SECONDS)).isTrue();
                        Await.until(() -> pool.stats().waiting() == 1, () -> "the second waiter queued: " + pool.stats());
                        hookMayThrow.countDown();
                        Await.until(() -> pool.stats().waiting() == 2, () -> "the first waiter back in the queue: " + pool.stats());
                        f.onDestroy = TestFactory.Behaviour.normal();
                        destroyMayEnd.countDown();
                    }
                }
            });
        } finally {
            hookMayThrow.countDown();
            destroyMayEnd.countDown();
        }
        assertThat(order).as("first come, first served").containsExactly("first", "second");
    }

    @Test
    void aWaiterWhoseHandedOverResourceFailsItsCheckIsNotRefusedByMaxWaiters() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = pool(f, 1);
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        bad = held.get();
        List<Object> outcomes = new CopyOnWriteArrayList<>();
        try {
            Threads.run(3, Duration.ofSeconds(25), i -> {
                switch (i) {
                    case 0, 1 -> {
                        if (i == 1) {
                            assertThat(hookEntered.await(20, TimeUnit.SECONDS)).isTrue();
                        }
                        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(20))) {
                            outcomes.add("served " + i);
                        } catch (PoolException e) {
                            outcomes.add(i + ": " + e);
                        }
                    }
                    default -> {
                        Await.until(() -> pool.stats().waiting() == 1, () -> "the first waiter: " + pool.stats());
                        held.close(); // handed to the first waiter, whose hook now blocks
                        assertThat(hookEntered.await(20, TimeUnit.SECONDS)).isTrue();
                        Await.until(() -> pool.stats().waiting() == 1, () -> "the second waiter queued: " + pool.stats());
                        hookMayThrow.countDown();
                    }
                }
            });
        } finally {
            hookMayThrow.countDown();
            destroyMayEnd.countDown();
        }
        assertThat(outcomes).as("both admitted waiters served, none refused after waiting")
                .containsExactlyInAnyOrder("served 0", "served 1");
        assertThat(pool.stats().rejected()).isZero();
    }
}
