package io.poolkit;

/**
 * Closes a resource for good, given to {@link PoolBuilder#releaser(Releaser)}. Same contract as
 * {@link ResourceFactory#destroy(Object)}: called exactly once per created resource, on a
 * background worker.
 *
 * @param <T> the resource type
 */
@FunctionalInterface
public interface Releaser<T> {
    /**
     * Closes a resource.
     *
     * @param resource the resource to close
     * @throws Exception logged, never rethrown
     */
    void release(T resource) throws Exception;
}
