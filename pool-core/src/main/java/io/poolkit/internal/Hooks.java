package io.poolkit.internal;

import java.time.Duration;

/**
 * The resolved lifecycle hooks of one pool (for a keyed pool: of one key, the key bound in). The
 * flags let the fast path skip a hook nobody defined.
 */
public abstract class Hooks<T> {
    final boolean hasValidator;
    final boolean hasResetter;
    final boolean hasOnAcquire;

    protected Hooks(boolean hasValidator, boolean hasResetter, boolean hasOnAcquire) {
        this.hasValidator = hasValidator;
        this.hasResetter = hasResetter;
        this.hasOnAcquire = hasOnAcquire;
    }

    protected abstract T create() throws Exception;

    protected abstract boolean validate(T resource, Duration bound) throws Exception;

    protected abstract void reset(T resource) throws Exception;

    protected abstract void destroy(T resource) throws Exception;

    protected abstract void onAcquire(T resource) throws Exception;
}
