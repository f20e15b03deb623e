package io.poolkit;

import io.poolkit.internal.Check;
import io.poolkit.internal.KeyedPoolImpl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Builds a {@link KeyedPool}; start with {@link KeyedPool#builder(KeyedResourceFactory)}. The
 * options of {@link PoolBuilder} are per-key defaults here, except {@code maxWaiters}, which is
 * global; {@code initialSize} does not apply (keys are not known at build: use
 * {@link KeyedPool#warmUp}). Not thread-safe.
 *
 * @param <K> the key type
 * @param <T> the resource type
 */
public final class KeyedPoolBuilder<K, T> extends BuilderBase<KeyedPoolBuilder<K, T>> {
    private final KeyedResourceFactory<K, T> factory;
    private int maxTotal = Integer.MAX_VALUE;
    private Function<? super K, KeyOptions> perKey = key -> KeyOptions.defaults();
    private Duration keyIdleTimeout = Duration.ofMinutes(5);
    private final List<KeyedPoolListener<K, T>> listeners = new ArrayList<>();

    KeyedPoolBuilder(KeyedResourceFactory<K, T> factory) {
        this.factory = Check.notNull("factory", factory);
    }

    /**
     * @param max the most resources across every key (default unbounded)
     * @return this builder
     */
    public KeyedPoolBuilder<K, T> maxTotal(int max) {
        this.maxTotal = Check.atLeast("maxTotal", max, 1);
        return this;
    }

    /**
     * @param options the overrides for a key (maxSize, minIdle, acquireTimeout, circuitBreaker),
     *     asked once when the key's sub-pool opens; must not return null
     * @return this builder
     */
    public KeyedPoolBuilder<K, T> perKey(Function<? super K, KeyOptions> options) {
        this.perKey = Check.notNull("perKey", options);
        return this;
    }

    /**
     * @param timeout a key's sub-pool with no resource and no waiter for this long is removed
     *     (default 5 min; {@link Pool#FOREVER} = never)
     * @return this builder
     */
    public KeyedPoolBuilder<K, T> keyIdleTimeout(Duration timeout) {
        this.keyIdleTimeout = Check.notNegative("keyIdleTimeout", timeout);
        return this;
    }

    /**
     * @param listener asked for a listener of every key
     * @return this builder
     */
    public KeyedPoolBuilder<K, T> listener(KeyedPoolListener<K, T> listener) {
        listeners.add(Check.notNull("listener", listener));
        return this;
    }

    /**
     * @return the running keyed pool
     * @throws IllegalArgumentException when options contradict each other
     */
    public KeyedPool<K, T> build() {
        if (config.initialSize > 0) {
            throw new IllegalArgumentException("initialSize (" + config.initialSize + ") does not apply to a keyed pool:"
                    + " keys are not known at build; call warmUp(key, n) instead");
        }
        Function<? super K, KeyOptions> options = perKey;
        return new KeyedPoolImpl<>(config, factory, maxTotal, keyIdleTimeout, key -> {
            KeyOptions o = options.apply(key);
            if (o == null) {
                throw new NullPointerException("perKey returned null for key " + key + "; return KeyOptions.defaults()");
            }
            return new KeyedPoolImpl.Overrides(o.maxSizeOrNull(), o.minIdleOrNull(), o.acquireTimeoutOrNull(),
                    o.circuitFailures(), o.circuitOpenOrNull());
        }, List.copyOf(listeners));
    }
}
