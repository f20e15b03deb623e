package io.poolkit;

import io.poolkit.internal.Check;
import java.time.Duration;
import java.util.Objects;

/**
 * Per-key overrides of a {@link KeyedPool}'s defaults, returned by the builder's
 * {@link KeyedPoolBuilder#perKey perKey} function. Immutable: every setter returns a new instance.
 * Options left unset take the builder's value.
 *
 * {@snippet class=io.poolkit.snippets.PoolSnippets region=key-options}
 */
public final class KeyOptions {
    private static final KeyOptions DEFAULTS = new KeyOptions(null, null, null, 0, null);

    private final Integer maxSize;
    private final Integer minIdle;
    private final Duration acquireTimeout;
    private final int circuitFailures;
    private final Duration circuitOpen;

    private KeyOptions(Integer maxSize, Integer minIdle, Duration acquireTimeout, int circuitFailures, Duration circuitOpen) {
        this.maxSize = maxSize;
        this.minIdle = minIdle;
        this.acquireTimeout = acquireTimeout;
        this.circuitFailures = circuitFailures;
        this.circuitOpen = circuitOpen;
    }

    /** @return options that override nothing */
    public static KeyOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @param max the key's capacity, at least 1
     * @return new options
     */
    public KeyOptions maxSize(int max) {
        return new KeyOptions(Check.atLeast("maxSize", max, 1), minIdle, acquireTimeout, circuitFailures, circuitOpen);
    }

    /**
     * @param min the key's idle resources kept ready, 0 or more (best effort under {@code maxTotal})
     * @return new options
     */
    public KeyOptions minIdle(int min) {
        return new KeyOptions(maxSize, Check.atLeast("minIdle", min, 0), acquireTimeout, circuitFailures, circuitOpen);
    }

    /**
     * @param timeout the key's default acquire wait, zero or more
     * @return new options
     */
    public KeyOptions acquireTimeout(Duration timeout) {
        return new KeyOptions(maxSize, minIdle, Check.notNegative("acquireTimeout", timeout), circuitFailures, circuitOpen);
    }

    /**
     * @param failures consecutive create failures that open the key's circuit, at least 1
     * @param open how long it stays open, more than zero
     * @return new options
     */
    public KeyOptions circuitBreaker(int failures, Duration open) {
        return new KeyOptions(maxSize, minIdle, acquireTimeout, Check.atLeast("circuitBreaker failures", failures, 1),
                Check.positive("circuitBreaker open", open, " (leave circuitBreaker unset to have no breaker)"));
    }

    Integer maxSizeOrNull() {
        return maxSize;
    }

    Integer minIdleOrNull() {
        return minIdle;
    }

    Duration acquireTimeoutOrNull() {
        return acquireTimeout;
    }

    int circuitFailures() {
        return circuitFailures;
    }

    Duration circuitOpenOrNull() {
        return circuitOpen;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyOptions k && Objects.equals(maxSize, k.maxSize) && Objects.equals(minIdle, k.minIdle)
                && Objects.equals(acquireTimeout, k.acquireTimeout) && circuitFailures == k.circuitFailures
                && Objects.equals(circuitOpen, k.circuitOpen);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxSize, minIdle, acquireTimeout, circuitFailures, circuitOpen);
    }

    @Override
    public String toString() {
        return "KeyOptions[maxSize=" + maxSize + ", minIdle=" + minIdle + ", acquireTimeout=" + acquireTimeout
                + (circuitFailures > 0 ? ", circuitBreaker=" + circuitFailures + "/" + circuitOpen : "") + "]";
    }
}
