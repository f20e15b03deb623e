package io.poolkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.Lease;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolStats;
import io.poolkit.PoolTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool contract, written once and run against every pool and access path (sync, async,
 * withResource, keyed, and each module's pool). A subclass says how to open a pool of a given
 * capacity and how its access path acquires; every test then checks behaviour through that path,
 * and after each test the counts rule must hold.
 *
 * @param <T> the resource type of the pool under test
 */
@Timeout(60)
public abstract class AbstractPoolContractTest<T> {

    /** A pool under test, seen through one access path. */
    public interface Subject<T> extends AutoCloseable {
        /** Acquires through the access path under test, waiting at most {@code timeout}. */
        Lease<T> acquire(Duration timeout) throws Exception;

        PoolStats stats();

        /** Shuts the pool down, waiting at most {@code grace} for leases. */
        boolean shutdown(Duration grace) throws Exception;

        @Override
        default void close() throws Exception {
            shutdown(Duration.ofSeconds(10));
        }

        /** A subject on {@code pool} whose access path is {@code path}. */
        static <T> Subject<T> of(io.poolkit.Pool<T> pool, AccessPath<T> path) {
            return new Subject<>() {
                @Override
                public Lease<T> acquire(Duration timeout) throws Exception {
                    return path.acquire(timeout);
                }

                @Override
                public PoolStats stats() {
                    return pool.stats();
                }

                @Override
                public boolean shutdown(Duration grace) throws Exception {
                    return pool.shutdown(grace);
                }
            };
        }
    }

    /** How an access path acquires, waiting at most {@code timeout}. */
    @FunctionalInterface
    public interface AccessPath<T> {
        Lease<T> acquire(Duration timeout) throws Exception;
    }

    /** Rethrows the cause of a failed future as the access path's own exception. */
    public static Exception unwrap(java.util.concurrent.ExecutionException e) {
        return e.getCause() instanceof Exception ex ? ex : e;
    }

    private final List<Subject<T>> opened = new CopyOnWriteArrayList<>();

    /** Longer than any fairness a contract subject uses (at most the 1 ms default) plus the coarse clock's tick. */
    private static final Duration AGE_PAST_FAIRNESS = Duration.ofMillis(50);

    /**
     * Opens a pool of {@code maxSize} resources for the access path under test. Resources must be
     * distinct objects, and creating one must succeed.
     */
    protected abstract Subject<T> open(int maxSize) throws Exception;

    /**
     * How long an acquire may wait when the pool may have to create the resource first. Default 5 s;
     * a subject whose resources are slow to make (a cold sandboxed worker on a loaded 2-core machine
     * takes seconds) raises it. A bound against hangs, not a speed assertion.
     */
    protected Duration createBound() {
        return Duration.ofSeconds(5);
    }

    /**
     * Whether the access path hands out the pool's own lease objects (false for withResource,
     * whose stand-in cannot see a shutdown destroy the resource under it).
     */
    protected boolean handsOutPoolLeases() {
        return true;
    }

    /** Uses the resource for a moment, so a broken resource would show. Default: nothing. */
    protected void use(T resource) throws Exception {
    }

    private Subject<T> pool(int maxSize) throws Exception {
        Subject<T> s = open(maxSize);
        opened.add(s);
        return s;
    }

    @AfterEach
    void countsRuleHoldsAndPoolsClose() throws Exception {
        try {
            for (Subject<T> s : opened) {
                PoolChecks.assertCountsRule(s::stats);
            }
        } finally {
            for (Subject<T> s : opened) {
                s.shutdown(Duration.ofSeconds(10));
            }
        }
        for (Subject<T> s : opened) {
            PoolStats st = s.stats();
            assertThat(st.size()).as("nothing left after shutdown: %s", st).isZero();
            assertThat(st.created()).as("every created resource destroyed: %s", st).isEqualTo(st.destroyed());
        }
    }

    @Test
    void leasesAreDistinctUpToMaxSize() throws Exception {
        Subject<T> pool = pool(3);
        List<Lease<T>> leases = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            leases.add(pool.acquire(createBound()));
        }
        Set<T> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Lease<T> l : leases) {
            use(l.get());
            distinct.add(l.get());
        }
        assertThat(distinct).hasSize(3);
        assertThat(pool.stats().leased()).isEqualTo(3);
        leases.forEach(Lease::close);
        assertThat(pool.stats().leased()).isZero();
    }

    @Test
    void acquireBeyondMaxSizeTimesOutWithinItsBound() throws Exception {
        Subject<T> pool = pool(1);
        try (Lease<T> held = pool.acquire(createBound())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(200))).isInstanceOf(PoolTimeoutException.class);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(ms).as("timed out after its bound, not long past it").isBetween(150L, 3000L);
            assertThat(held.get()).isNotNull();
        }
        assertThat(pool.stats().timeouts()).isEqualTo(1);
    }

    @Test
    void returnedResourceIsReusedNotRecreated() throws Exception {
        Subject<T> pool = pool(2);
        T first;
        try (Lease<T> l = pool.acquire(createBound())) {
            first = l.get();
        }
        for (int i = 0; i < 5; i++) {
            try (Lease<T> l = pool.acquire(createBound())) {
                assertThat(l.get()).isSameAs(first);
            }
        }
        assertThat(pool.stats().created()).isEqualTo(1);
        assertThat(pool.stats().acquired()).isEqualTo(6);
    }

    @Test
    void secondCloseIsANoOpNeverADoubleReturn() throws Exception {
        Subject<T> pool = pool(1);
        Lease<T> a = pool.acquire(createBound());
        a.close();
        Lease<T> b = pool.acquire(createBound());
        a.close(); // stale: must not return b's resource
        assertThat(pool.stats().leased()).isEqualTo(1);
        assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(50))).isInstanceOf(PoolTimeoutException.class);
        assertThat(b.get()).isNotNull();
        b.close();
        b.close();
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void leaseUsedAfterCloseSaysSo() throws Exception {
        Subject<T> pool = pool(1);
        Lease<T> l = pool.acquire(createBound());
        l.close();
        assertThatThrownBy(l::get).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("used after close");
    }

    @Test
    void invalidatedResourceIsDestroyedAndReplaced() throws Exception {
        Subject<T> pool = pool(1);
        T broken;
        try (Lease<T> l = pool.acquire(createBound())) {
            broken = l.get();
            l.invalidate();
        }
        try (Lease<T> l = pool.acquire(createBound())) {
            assertThat(l.get()).isNotSameAs(broken);
        }
        Await.until(() -> pool.stats().destroyed() == 1, () -> "one destroyed: " + pool.stats());
        assertThat(pool.stats().destroyedBy(io.poolkit.DestroyReason.INVALIDATED)).isEqualTo(1);
    }

    @Test
    void waiterGetsTheResourceReturnedByAnother() throws Exception {
        Subject<T> pool = pool(1);
        Lease<T> held = pool.acquire(createBound());
        T resource = held.get();
        CountDownLatch waiting = new CountDownLatch(1);
        List<T> got = new CopyOnWriteArrayList<>();
        Threads.run(2, Duration.ofSeconds(20), i -> {
            if (i == 0) {
                waiting.countDown();
                try (Lease<T> l = pool.acquire(Duration.ofSeconds(10))) {
                    got.add(l.get());
                }
            } else {
                waiting.await();
                Await.until(() -> pool.stats().waiting() == 1, () -> "a waiter: " + pool.stats());
                held.close();
            }
        });
        assertThat(got).containsExactly(resource);
    }

    @Test
    void waitersAreServedInArrivalOrder() throws Exception {
        Subject<T> pool = pool(1);
        Lease<T> held = pool.acquire(createBound());
        List<Integer> order = new CopyOnWriteArrayList<>();
        int n = 5;
        CountDownLatch[] queued = new CountDownLatch[n];
        for (int i = 0; i < n; i++) {
            queued[i] = new CountDownLatch(1);
        }
        Threads.run(n + 1, Duration.ofSeconds(30), i -> {
            if (i < n) {
                if (i > 0) {
                    queued[i - 1].await();
                    int before = i;
                    Await.until(() -> pool.stats().waiting() == before, () -> "waiters queued: " + pool.stats());
                }
                queued[i].countDown();
                try (Lease<T> l = pool.acquire(Duration.ofSeconds(20))) {
                    order.add(i);
                }
            } else {
                queued[n - 1].await();
                Await.until(() -> pool.stats().waiting() == n, () -> "all waiting: " + pool.stats());
                // DESIGN rule 5: arrival order is promised once the oldest waiter has waited the pool's
                // fairness (1 ms by default), and a waiter that has just queued may still be running,
                // competing like any running caller; so let every waiter age past that first
                long queuedAt = System.nanoTime();
                Await.until(() -> System.nanoTime() - queuedAt > AGE_PAST_FAIRNESS.toNanos(), () -> "waiters aged");
                held.close();
            }
        });
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void concurrentUseNeverSharesAResource() throws Exception {
        Subject<T> pool = pool(4);
        Set<Object> inUse = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        Threads.run(12, Duration.ofSeconds(40), i -> {
            for (int k = 0; k < 300; k++) {
                try (Lease<T> l = pool.acquire(Duration.ofSeconds(20))) {
                    T r = l.get();
                    assertThat(inUse.add(r)).as("resource held by two leases").isTrue();
                    use(r);
                    inUse.remove(r);
                }
            }
        });
        assertThat(pool.stats().acquired()).isEqualTo(12 * 300);
        assertThat(pool.stats().created()).isLessThanOrEqualTo(4);
    }

    @Test
    void acquireAfterShutdownFailsWithPoolClosed() throws Exception {
        Subject<T> pool = pool(2);
        try (Lease<T> l = pool.acquire(createBound())) {
            use(l.get());
        }
        assertThat(pool.shutdown(Duration.ofSeconds(5))).isTrue();
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(1))).isInstanceOf(PoolClosedException.class);
        Await.until(() -> pool.stats().size() == 0, () -> "everything destroyed: " + pool.stats());
    }

    @Test
    void shutdownWaitsForALeaseThenDestroysEverything() throws Exception {
        Subject<T> pool = pool(2);
        Lease<T> held = pool.acquire(createBound());
        try (Lease<T> other = pool.acquire(createBound())) {
            use(other.get());
        }
        Threads.run(2, Duration.ofSeconds(20), i -> {
            if (i == 0) {
                assertThat(pool.shutdown(Duration.ofSeconds(10))).as("every lease came back").isTrue();
            } else {
                Await.until(() -> pool.stats().idle() == 0, () -> "idle destroyed first: " + pool.stats());
                held.close();
            }
        });
        PoolStats st = pool.stats();
        assertThat(st.size()).isZero();
        assertThat(st.destroyedBy(io.poolkit.DestroyReason.SHUTDOWN)).isEqualTo(2);
    }

    @Test
    void shutdownForcesALeakedLeaseAndItsLeaseIsDead() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(handsOutPoolLeases(), "the access path holds no pool lease object");
        Subject<T> pool = pool(1);
        Lease<T> leaked = pool.acquire(createBound());
        assertThat(pool.shutdown(Duration.ofMillis(50))).as("a lease did not come back").isFalse();
        assertThat(pool.stats().size()).isZero();
        assertThatThrownBy(leaked::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("shut down");
        leaked.close(); // a no-op, never an error
        assertThat(pool.stats().destroyed()).isEqualTo(1);
    }
}
