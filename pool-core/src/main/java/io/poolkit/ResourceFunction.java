package io.poolkit;

/**
 * Work done with a pooled resource that returns a result; see {@link Pool#withResource}.
 *
 * @param <T> the resource type
 * @param <R> the result type
 * @param <X> the checked exception the work may throw
 */
@FunctionalInterface
public interface ResourceFunction<T, R, X extends Exception> {
    /**
     * Uses the resource.
     *
     * @param resource the leased resource; do not keep it after returning
     * @return the result
     * @throws X rethrown unwrapped to the caller of {@code withResource}
     */
    R apply(T resource) throws X;
}
