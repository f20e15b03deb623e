package io.poolkit;

import java.time.Duration;

/**
 * Runs a pool's timed work: maintenance, create timeouts, retry back-off and asynchronous acquire
 * deadlines. Injectable (with a {@link Ticker}) so tests control when deadlines fire. Tasks must be
 * short; the pool hands blocking work (create, destroy, validate) to its workers.
 *
 * <p>The default is one daemon thread per pool (per keyed pool), made by the builder's
 * {@code threadFactory} and stopped at shutdown. An injected scheduler belongs to the caller and
 * is not shut down by the pool.
 */
@FunctionalInterface
public interface Scheduler {

    /**
     * Runs {@code task} once after {@code delay}.
     *
     * @param task the work, short and non-blocking
     * @param delay zero or more
     * @return a handle that cancels the task if it has not run yet
     */
    Cancellable schedule(Runnable task, Duration delay);

    /** A scheduled task that can still be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not started; a no-op afterwards. */
        void cancel();
    }
}
