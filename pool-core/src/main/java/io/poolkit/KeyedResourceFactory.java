package io.poolkit;

import java.time.Duration;

/**
 * Opens, checks, resets and closes the resources of a {@link KeyedPool}, each for its key (a host,
 * a tenant, a database). The same contract as {@link ResourceFactory}, with the key given to every
 * hook.
 *
 * @param <K> the key type
 * @param <T> the resource type
 */
@FunctionalInterface
public interface KeyedResourceFactory<K, T> {

    /**
     * @param key the key to open a resource for
     * @return a new resource, never {@code null}
     * @throws Exception when it cannot be opened
     * @see ResourceFactory#create()
     */
    T create(K key) throws Exception;

    /**
     * @param key the resource's key
     * @param resource the resource to check
     * @param timeout how long the check may take
     * @return {@code false} (or an exception) destroys it
     * @throws Exception treated like {@code false}
     * @see ResourceFactory#validate(Object, Duration)
     */
    default boolean validate(K key, T resource, Duration timeout) throws Exception {
        return true;
    }

    /**
     * @param key the resource's key
     * @param resource the returned resource
     * @throws Exception destroys it
     * @see ResourceFactory#reset(Object)
     */
    default void reset(K key, T resource) throws Exception {
    }

    /**
     * @param key the resource's key
     * @param resource the resource to close
     * @throws Exception logged, never rethrown
     * @see ResourceFactory#destroy(Object)
     */
    default void destroy(K key, T resource) throws Exception {
    }
}
