package io.poolkit;

import java.time.Duration;

/**
 * Exclusive use of one pooled resource, from {@code acquire} until {@link #close()}.
 *
 * <p>Use it with try-with-resources. Closing returns the resource; closing again is a no-op, never
 * a second return (for closes ordered by happens-before: closing one lease from two threads at
 * once is a usage error). After close, {@link #get()} throws {@link IllegalStateException} with a
 * diagnosis, so a resource cannot be used by accident once another caller may hold it.
 *
 * <p>Thread-safety: a lease is meant for one holder at a time; it may be handed to another thread
 * with a happens-before edge (an executor, a future). Everything the holder did before
 * {@code close()} happens-before the next lease of the same resource.
 *
 * @param <T> the resource type
 */
public interface Lease<T> extends AutoCloseable {

    /**
     * The leased resource.
     *
     * @return the resource
     * @throws IllegalStateException when the lease is closed or invalidated, or the pool's
     *     shutdown destroyed its resource
     */
    T get();

    /** Returns the resource to the pool. Idempotent; throws no checked exception. */
    @Override
    void close();

    /** Destroys the resource instead of returning it (reason {@link DestroyReason#INVALIDATED}); a no-op after {@link #close()}. */
    void invalidate();

    /**
     * Destroys the resource because the holder's own clean-up for reuse failed (reason
     * {@link DestroyReason#RESET_FAILED}, as when a {@link Resetter} throws): for a module pool that
     * resets a resource on the returning thread before giving it back, so that a failed reset is
     * told apart from a resource found broken in use. A no-op after {@link #close()}.
     */
    default void resetFailed() {
        invalidate();
    }

    /**
     * How long this lease has been held, measured on the pool's coarse clock (about 10 ms
     * resolution), so that reading it costs nothing on the acquire path.
     *
     * @return the time since acquire
     */
    Duration held();

    /**
     * Whether the resource is on its way out: expired, used up, evicted, or in a pool that is
     * shrinking or shutting down. It will be destroyed when this lease closes; a holder that
     * multiplexes work on it should start no new work there.
     *
     * @return {@code true} once the resource is retiring
     */
    boolean isRetiring();
}
