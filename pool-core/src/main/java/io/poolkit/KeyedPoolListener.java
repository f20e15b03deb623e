package io.poolkit;

/**
 * Receives a keyed pool's events: for every key the pool opens, it asks this for the listener of
 * that key, so each event carries its key.
 *
 * @param <K> the key type
 * @param <T> the resource type
 */
@FunctionalInterface
public interface KeyedPoolListener<K, T> {
    /**
     * @param key a key the pool starts serving
     * @return the listener for that key's events, never {@code null}
     */
    PoolListener<T> forKey(K key);
}
