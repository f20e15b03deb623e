package io.poolkit;

/**
 * Cleans a returned resource before it goes idle, given to {@link PoolBuilder#resetter(Resetter)}.
 * Same contract as {@link ResourceFactory#reset(Object)}.
 *
 * @param <T> the resource type
 */
@FunctionalInterface
public interface Resetter<T> {
    /**
     * Resets a returned resource.
     *
     * @param resource the returned resource
     * @throws Exception destroys the resource (reason {@link DestroyReason#RESET_FAILED})
     */
    void reset(T resource) throws Exception;
}
