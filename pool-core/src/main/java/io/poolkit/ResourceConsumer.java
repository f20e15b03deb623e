package io.poolkit;

/**
 * Work done with a pooled resource, without a result; see {@link Pool#useResource}. Also the type
 * of the builder's {@link PoolBuilder#onAcquire onAcquire} hook.
 *
 * @param <T> the resource type
 * @param <X> the checked exception the work may throw
 */
@FunctionalInterface
public interface ResourceConsumer<T, X extends Exception> {
    /**
     * Uses the resource.
     *
     * @param resource the leased resource; do not keep it after returning
     * @throws X rethrown unwrapped to the caller
     */
    void accept(T resource) throws X;
}
