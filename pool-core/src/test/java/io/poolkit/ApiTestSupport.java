package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * Shared by the API tests: opens pools, and after each test checks that the counts rule holds for
 * every pool the test opened (and that a {@link TestFactory}'s books balance with the pool's), then
 * shuts each pool down (a lease a failed test left open is forced after a short grace), bounded,
 * and checks nothing is left.
 */
abstract class ApiTestSupport {
    private final List<Pool<?>> pools = new CopyOnWriteArrayList<>();
    private final Map<Pool<?>, TestFactory> books = new IdentityHashMap<>();

    /** Registers a pool for the after-test checks and shutdown. */
    protected <T> Pool<T> track(Pool<T> pool) {
        pools.add(pool);
        return pool;
    }

    /** Builds a pool on {@code factory} with {@code options}, checked and shut down after the test. */
    protected Pool<TestResource> open(TestFactory factory, UnaryOperator<PoolBuilder<TestResource>> options) {
        Pool<TestResource> pool = track(options.apply(Pool.builder(factory)).build());
        synchronized (books) {
            books.put(pool, factory);
        }
        return pool;
    }

    @AfterEach
    void countsRuleHoldsThenEveryPoolShutsDownEmpty() {
        Thread.interrupted(); // a test that interrupted itself must not break the checks
        AssertionError failure = null;
        for (Pool<?> pool : pools) {
            TestFactory f;
            synchronized (books) {
                f = books.get(pool);
            }
            try {
                if (f != null) {
                    PoolChecks.assertBooksBalance(pool::stats, f);
                } else {
                    PoolChecks.assertCountsRule(pool::stats);
                }
            } catch (AssertionError e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        for (Pool<?> pool : pools) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> pool.shutdown(Duration.ofMillis(500)),
                    () -> pool.name() + " - shutdown did not return: " + pool.stats());
            PoolStats st = pool.stats();
            assertThat(st.size()).as("nothing left after shutdown: %s", st).isZero();
            assertThat(st.created()).as("every created resource destroyed: %s", st).isEqualTo(st.destroyed());
        }
        if (failure != null) {
            throw failure;
        }
    }
}
