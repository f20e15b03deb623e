package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code tryAcquire()} and {@code acquire(Duration.ZERO)}: take what is idle now, never wait, never create. */
@Timeout(30)
class TryAcquireTest extends ApiTestSupport {

    @Test
    void tryAcquireIsEmptyWhenNothingIsIdleAndNeverStartsACreate() {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(3));
        assertThat(pool.tryAcquire()).isEmpty();
        PoolStats st = pool.stats();
        assertThat(st.size()).as("no slot taken for a create").isZero();
        assertThat(st.creating()).isZero();
        assertThat(st.waiting()).isZero();
        assertThat(st.timeouts()).as("an empty tryAcquire is not a timeout").isZero();
        assertThat(f.createCalls()).isZero();
    }

    @Test
    void tryAcquireHandsOutAnIdleResource() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(2));
        assertThat(pool.warmUp(1)).isEqualTo(1);
        Optional<Lease<TestResource>> lease = pool.tryAcquire();
        assertThat(lease).isPresent();
        assertThat(lease.get().get()).isSameAs(f.alive().get(0));
        assertThat(pool.tryAcquire()).as("the only idle one is leased").isEmpty();
        assertThat(pool.stats().size()).isEqualTo(1);
        lease.get().close();
        assertThat(pool.tryAcquire()).isPresent().get().satisfies(Lease::close);
    }

    /** Strict FIFO ({@code fairness(ZERO)}): a returned resource is the oldest waiter's at once. */
    @Test
    void tryAcquireYieldsToQueuedWaiters() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).fairness(Duration.ZERO));
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(5));
        List<TestResource> waiterGot = new CopyOnWriteArrayList<>();
        Threads.run(2, Duration.ofSeconds(20), i -> {
            if (i == 0) {
                Lease<TestResource> l = pool.acquire(Duration.ofSeconds(15));
                waiterGot.add(l.get());
                l.close();
                return;
            }
            Await.until(() -> pool.stats().waiting() == 1, () -> "a waiter: " + pool.stats());
            assertThat(pool.tryAcquire()).isEmpty();
            held.close();
            Optional<Lease<TestResource>> late;
            do {
                late = pool.tryAcquire();
                assertThat(late.isEmpty() || !waiterGot.isEmpty())
                        .as("tryAcquire never gets the resource before the waiter it was returned for").isTrue();
                late.ifPresent(Lease::close);
            } while (waiterGot.isEmpty());
        });
        assertThat(waiterGot).hasSize(1);
    }

    @Test
    void acquireZeroThrowsPoolTimeoutInsteadOfWaitingAndStartsNoCreate() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(2));
        long start = System.nanoTime();
        assertThatThrownBy(() -> pool.acquire(Duration.ZERO))
                .isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("timed out");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
        assertThat(pool.stats().size()).isZero();
        assertThat(f.createCalls()).isZero();
        assertThat(pool.stats().timeouts()).isEqualTo(1);
    }

    @Test
    void acquireZeroHandsOutAnIdleResource() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(2));
        assertThat(pool.warmUp(1)).isEqualTo(1);
        Lease<TestResource> l = pool.acquire(Duration.ZERO);
        assertThat(l.get()).isNotNull();
        assertThatThrownBy(() -> pool.acquire(Duration.ZERO)).isInstanceOf(PoolTimeoutException.class);
        l.close();
    }

    @Test
    void tryAcquireOnAClosedPoolThrowsPoolClosed() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1));
        pool.close();
        assertThatThrownBy(pool::tryAcquire).isInstanceOf(PoolClosedException.class);
        assertThatThrownBy(() -> pool.acquire(Duration.ZERO)).isInstanceOf(PoolClosedException.class);
    }
}
