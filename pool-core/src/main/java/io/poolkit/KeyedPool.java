package io.poolkit;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One pool per key (a host, a tenant, a database) under one global limit. Each key's sub-pool keeps
 * every rule of {@link Pool}; {@code maxTotal} and {@code maxWaiters} are global: when the total is
 * reached, a waiter of one key is served by evicting the oldest idle resource of another key
 * ({@link DestroyReason#EVICTED_FOR_KEY}), first come, first served across keys. minIdle is best
 * effort under {@code maxTotal}; a key's sub-pool left empty for {@code keyIdleTimeout} is removed.
 * Circuit breakers, events and stats are per key.
 *
 * {@snippet class=io.poolkit.snippets.PoolSnippets region=keyed}
 * }
 *
 * <p>Thread-safe.
 *
 * @param <K> the key type; keys must have stable equals/hashCode (their toString appears in logs)
 * @param <T> the resource type
 */
public interface KeyedPool<K, T> extends AutoCloseable {

    /**
     * @param factory creates (and optionally validates, resets, destroys) resources per key
     * @param <K> the key type
     * @param <T> the resource type
     * @return a builder with the documented defaults
     */
    static <K, T> KeyedPoolBuilder<K, T> builder(KeyedResourceFactory<K, T> factory) {
        return new KeyedPoolBuilder<>(factory);
    }

    /**
     * @param key the key
     * @return a lease of a resource for {@code key}, waiting up to the key's acquire timeout
     * @throws InterruptedException when interrupted while waiting
     * @see Pool#acquire()
     */
    Lease<T> acquire(K key) throws InterruptedException;

    /**
     * @param key the key
     * @param timeout the longest wait
     * @return a lease
     * @throws InterruptedException when interrupted while waiting
     * @see Pool#acquire(Duration)
     */
    Lease<T> acquire(K key, Duration timeout) throws InterruptedException;

    /**
     * @param key the key
     * @return an idle resource of {@code key} now, or empty
     * @see Pool#tryAcquire()
     */
    Optional<Lease<T>> tryAcquire(K key);

    /**
     * @param key the key
     * @return a future of the lease
     * @see Pool#acquireAsync()
     */
    CompletableFuture<Lease<T>> acquireAsync(K key);

    /**
     * @param key the key
     * @param fn the work
     * @param <R> the result type
     * @param <X> the checked exception of the work
     * @return what {@code fn} returned
     * @throws X what {@code fn} threw
     * @throws InterruptedException when interrupted while acquiring
     * @see Pool#withResource
     */
    <R, X extends Exception> R withResource(K key, ResourceFunction<? super T, R, X> fn) throws X, InterruptedException;

    /**
     * @param key the key
     * @param fn the work
     * @param <X> the checked exception of the work
     * @throws X what {@code fn} threw
     * @throws InterruptedException when interrupted while acquiring
     * @see Pool#useResource
     */
    <X extends Exception> void useResource(K key, ResourceConsumer<? super T, X> fn) throws X, InterruptedException;

    /**
     * @param key the key
     * @param count the idle resources wanted for it
     * @return how many of its resources are idle afterwards
     * @throws InterruptedException when interrupted while waiting
     * @see Pool#warmUp(int)
     */
    int warmUp(K key, int count) throws InterruptedException;

    /**
     * @param key the key
     * @return the key's counts (all zero for a key the pool does not serve now)
     */
    PoolStats stats(K key);

    /** @return the totals over every key; {@code maxSize} is {@code maxTotal} when one is set */
    PoolStats stats();

    /** @return the keys served now */
    Set<K> keys();

    /**
     * Drains one key: its idle resources are destroyed now, leased ones on return (within
     * {@code shutdownTimeout}, then forced); its waiters move on to a fresh sub-pool. Returns at once.
     *
     * @param key the key to drain
     */
    void remove(K key);

    /**
     * @param listener asked for a listener of every key, present and future
     * @return a registration that removes it from every key
     */
    Registration addListener(KeyedPoolListener<K, T> listener);

    /** @return the pool's name */
    String name();

    /**
     * Shuts every key down; see {@link Pool#shutdown(Duration)}.
     *
     * @param grace how long to wait for leases
     * @return {@code true} if every lease came back in time
     * @throws InterruptedException when interrupted while waiting
     */
    boolean shutdown(Duration grace) throws InterruptedException;

    /** {@code shutdown(shutdownTimeout)}, without a checked exception. */
    @Override
    void close();
}
