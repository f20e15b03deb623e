package io.poolkit;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A pool of reusable resources: the poolkit core.
 *
 * {@snippet class=io.poolkit.snippets.PoolSnippets region=basic}
 * }
 *
 * <p>Thread-safe. Waiters queue in arrival order under <em>bounded fairness</em> (see
 * {@link PoolBuilder#fairness(Duration)}): a returned resource may be taken by a running caller
 * (no OS wake-up per operation) until the oldest waiter has waited {@code fairness} (default 1 ms);
 * from then on every return goes straight to the oldest waiter, so no caller is overtaken once it
 * has waited {@code fairness} plus one wake-up. {@code create()} and {@code destroy()} run on the pool's background workers,
 * so a caller waits only for the pool, and an acquire ends by its deadline whatever the factory or
 * validator does. Returning a lease happens-before the next lease of the same resource.
 *
 * <p>Every duration option is a threshold: {@link Duration#ZERO} is reached at once,
 * {@link #FOREVER} is never reached (the feature is off).
 *
 * @param <T> the resource type
 */
public interface Pool<T> extends AutoCloseable {

    /** The longest duration, meaning "never": a threshold set to it is never reached. */
    Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    /**
     * Starts building a pool.
     *
     * @param factory creates (and optionally validates, resets, destroys) the resources
     * @param <T> the resource type
     * @return a builder with the documented defaults
     * @throws NullPointerException when {@code factory} is null
     */
    static <T> PoolBuilder<T> builder(ResourceFactory<T> factory) {
        return new PoolBuilder<>(factory);
    }

    /**
     * Acquires a resource, waiting up to the configured {@code acquireTimeout}.
     *
     * @return a lease; close it to return the resource
     * @throws InterruptedException when interrupted while waiting (nothing is leased)
     * @throws PoolTimeoutException when the timeout passed; its cause is the last create failure
     *     while creates keep failing
     * @throws PoolExhaustedException when {@code maxWaiters} callers already wait
     * @throws CircuitOpenException when a create would be needed and the breaker is open
     * @throws PoolClosedException when the pool is shut down
     */
    Lease<T> acquire() throws InterruptedException;

    /**
     * Acquires a resource, waiting up to {@code timeout}; {@link Duration#ZERO} does not wait
     * (like {@link #tryAcquire()}, but throws instead of returning empty).
     *
     * @param timeout the longest wait, zero or more
     * @return a lease
     * @throws InterruptedException when interrupted while waiting
     * @throws IllegalArgumentException when {@code timeout} is negative
     * @see #acquire()
     */
    Lease<T> acquire(Duration timeout) throws InterruptedException;

    /**
     * Leases an idle resource if one is at hand, without waiting and without starting a create.
     * An idle resource due for validation is validated first, bounded by {@code validationTimeout}.
     * Yields to waiters that are due (rule 5's hand-off mode, see {@link PoolBuilder#fairness(Duration)}):
     * while the oldest waiter has waited {@code fairness}, this returns empty; with younger waiters
     * it may take an idle resource, as any running caller may.
     *
     * @return a lease, or empty
     * @throws PoolClosedException when the pool is shut down
     */
    Optional<Lease<T>> tryAcquire();

    /**
     * Acquires without blocking the caller. The future waits in the same FIFO queue as
     * {@link #acquire()}, counts toward {@code maxWaiters}, and fails with
     * {@link PoolTimeoutException} after {@code acquireTimeout}. If anyone else completes the future
     * (cancel, {@code orTimeout}, {@code complete}), its waiter leaves the queue, and a lease the
     * pool could no longer deliver goes to the next waiter. The future completes on the
     * {@code asyncExecutor}, never inside another caller's {@code close()}.
     *
     * @return a future of the lease
     */
    CompletableFuture<Lease<T>> acquireAsync();

    /**
     * Acquires, applies {@code fn}, and returns the resource. When {@code fn} throws an exception
     * matched by the builder's {@code invalidateOn}, or any {@link Error}, the resource is destroyed
     * instead of returned. The exception is rethrown unwrapped.
     *
     * @param fn the work
     * @param <R> the result type
     * @param <X> the checked exception of the work
     * @return what {@code fn} returned
     * @throws X what {@code fn} threw
     * @throws InterruptedException when interrupted while acquiring
     */
    <R, X extends Exception> R withResource(ResourceFunction<? super T, R, X> fn) throws X, InterruptedException;

    /**
     * {@link #withResource} without a result.
     *
     * @param fn the work
     * @param <X> the checked exception of the work
     * @throws X what {@code fn} threw
     * @throws InterruptedException when interrupted while acquiring
     */
    <X extends Exception> void useResource(ResourceConsumer<? super T, X> fn) throws X, InterruptedException;

    /**
     * Creates resources now until {@code count} are idle (bounded by {@code maxSize}), and waits for
     * those creates (each bounded by {@code createTimeout}). Stops at the first failure.
     *
     * @param count the idle resources wanted, zero or more
     * @return how many resources are idle afterwards
     * @throws InterruptedException when interrupted while waiting
     */
    int warmUp(int count) throws InterruptedException;

    /** @return a snapshot of the counts; cheap enough to poll */
    PoolStats stats();

    /**
     * Changes the capacity. Growing serves waiters at once; shrinking destroys idle resources now
     * and leased ones as they return (reason {@link DestroyReason#SHRUNK}) until the size fits.
     *
     * @param maxSize the new capacity, at least 1 and at least {@code minIdle}
     */
    void resize(int maxSize);

    /** @param minIdle the idle resources background maintenance keeps ready, 0 to {@code maxSize} */
    void setMinIdle(int minIdle);

    /** @param timeout the new default wait of {@link #acquire()}, zero or more */
    void setAcquireTimeout(Duration timeout);

    /** @param threshold the new leak threshold; {@link #FOREVER} switches leak detection off */
    void setLeakDetection(Duration threshold);

    /** Makes acquires wait (and {@code tryAcquire} return empty) until {@link #resume()}; for failover. */
    void suspend();

    /** Ends a {@link #suspend()}: waiters are served again. */
    void resume();

    /** Destroys every idle resource now (reason {@link DestroyReason#EVICTED}); leased ones are destroyed on return. */
    void evictIdle();

    /**
     * Adds a listener after build (how pool-micrometer binds).
     *
     * @param listener the listener
     * @return a registration that removes it
     */
    Registration addListener(PoolListener<T> listener);

    /** @return the pool's name, the prefix of its logs, threads and metrics */
    String name();

    /**
     * Stops acquires, destroys idle resources, waits up to {@code grace} for leases to return, then
     * destroys the rest (their leases become dead: {@code close()} is a no-op, {@code get()} throws).
     * Returns once every releaser has run (all of them together bounded by {@code createTimeout}).
     * Waiting callers get {@link PoolClosedException}. Later calls return at once.
     *
     * @param grace how long to wait for leases; {@link Duration#ZERO} forces at once
     * @return {@code true} if every lease came back within the grace period
     * @throws InterruptedException when interrupted while waiting; the shutdown is then forced
     */
    boolean shutdown(Duration grace) throws InterruptedException;

    /**
     * {@link #shutdown(Duration) shutdown(shutdownTimeout)}; throws no checked exception. An
     * interrupt forces the shutdown at once: leases still out are destroyed, releasers still running
     * finish on the pool's workers without the caller waiting for them, and the interrupt flag
     * stays set.
     */
    @Override
    void close();
}
