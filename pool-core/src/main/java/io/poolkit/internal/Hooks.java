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

    /** Whether {@code impl}'s class overrides the default method {@code method} declared by {@code declarer}. */
    public static boolean overrides(Object impl, Class<?> declarer, String method, Class<?>... params) {
        try {
            return impl.getClass().getMethod(method, params).getDeclaringClass() != declarer;
        } catch (NoSuchMethodException e) {
            throw new AssertionError(declarer.getName() + " has no method " + method, e);
        }
    }

    protected abstract T create() throws Exception;

    protected abstract boolean validate(T resource, Duration bound) throws Exception;

    protected abstract void reset(T resource) throws Exception;

    protected abstract void destroy(T resource) throws Exception;

    protected abstract void onAcquire(T resource) throws Exception;
}
