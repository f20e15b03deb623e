package io.poolkit;

import java.time.Duration;

/**
 * Opens, checks, resets and closes the resources of a {@link Pool}: the SPI a user implements.
 *
 * <p>Only {@link #create()} is abstract, so a lambda or method reference is a factory; the other
 * hooks default to "always valid", "nothing to reset" and "nothing to close". The same hooks can be
 * given to the builder instead ({@link PoolBuilder#validator}, {@link PoolBuilder#resetter},
 * {@link PoolBuilder#releaser}); defining one hook both ways is rejected at {@code build()}.
 *
 * <p>Threading: the pool calls {@code create} and {@code destroy} on its own background workers, never
 * on a caller's thread, and may call them for different resources concurrently; the hooks of one
 * resource are never called concurrently with each other. {@code validate} runs on a background
 * worker while the acquiring caller waits for it (bounded); {@code reset} runs on the thread that
 * returns the lease.
 *
 * @param <T> the resource type
 */
@FunctionalInterface
public interface ResourceFactory<T> {

    /**
     * Opens a new resource. May block; the pool bounds it by {@code createTimeout} and interrupts
     * the worker when that passes (a resource that still arrives is destroyed).
     *
     * @return the new resource, never {@code null}
     * @throws Exception when the resource cannot be opened; the pool records the failure, backs
     *     off, and reports it as the cause of acquire timeouts while creates keep failing
     */
    T create() throws Exception;

    /**
     * A cheap health check, run on acquire after the resource was idle for
     * {@code validateAfterIdle}, on return when {@code validateOnReturn} is set, and in the
     * background every {@code keepaliveInterval}.
     *
     * @param resource the resource to check
     * @return {@code false} (or an exception) destroys the resource
     * @throws Exception treated like {@code false}
     */
    default boolean validate(T resource) throws Exception {
        return true;
    }

    /**
     * The same check with the time it may take: the smaller of {@code validationTimeout} and the
     * time left to the acquiring caller's deadline. Override this one when the check can block (a
     * network probe), and honour the bound; the default ignores it and calls
     * {@link #validate(Object)}. Either way the caller never waits past the bound: a check that
     * overruns it fails, and its resource is destroyed when the check returns.
     *
     * @param resource the resource to check
     * @param timeout how long the check may take, never negative
     * @return {@code false} (or an exception) destroys the resource
     * @throws Exception treated like {@code false}
     */
    default boolean validate(T resource, Duration timeout) throws Exception {
        return validate(resource);
    }

    /**
     * Brings a returned resource back to a clean state before it goes idle. A reset that throws,
     * or takes longer than {@code validationTimeout}, destroys the resource instead (reason
     * {@link DestroyReason#RESET_FAILED}); a replacement is created in the background.
     *
     * @param resource the returned resource
     * @throws Exception when it cannot be reset
     */
    default void reset(T resource) throws Exception {
    }

    /**
     * Closes a resource for good. Called exactly once for every resource {@code create()}
     * returned, including one that arrived after {@code createTimeout}. Exceptions are logged
     * and otherwise ignored: the slot is freed either way.
     *
     * @param resource the resource to close
     * @throws Exception logged, never rethrown
     */
    default void destroy(T resource) throws Exception {
    }
}
