package io.poolkit;

import io.poolkit.internal.Check;
import io.poolkit.internal.Hooks;
import io.poolkit.internal.Pools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Pool}; start with {@link Pool#builder(ResourceFactory)}.
 *
 * {@snippet class=io.poolkit.snippets.PoolSnippets region=builder}
 *
 * <p>Every setter validates its value and names the rule and the rejected value; rules between
 * options ({@code minIdle <= maxSize}, a hook defined both on the factory and here) are checked at
 * {@link #build()}. Not thread-safe; a builder may build several pools.
 *
 * @param <T> the resource type
 */
public final class PoolBuilder<T> extends BuilderBase<PoolBuilder<T>> {
    private final ResourceFactory<T> factory;
    private Validator<? super T> validator;
    private Resetter<? super T> resetter;
    private Releaser<? super T> releaser;
    private ResourceConsumer<? super T, ? extends Exception> onAcquire;
    private final List<PoolListener<T>> listeners = new ArrayList<>();

    PoolBuilder(ResourceFactory<T> factory) {
        this.factory = Check.notNull("factory", factory);
    }

    /**
     * @param validator the health check, for a factory that does not override {@code validate}
     * @return this builder
     */
    public PoolBuilder<T> validator(Validator<? super T> validator) {
        this.validator = Check.notNull("validator", validator);
        return this;
    }

    /**
     * @param resetter cleans a returned resource, for a factory that does not override {@code reset}
     * @return this builder
     */
    public PoolBuilder<T> resetter(Resetter<? super T> resetter) {
        this.resetter = Check.notNull("resetter", resetter);
        return this;
    }

    /**
     * @param releaser closes a resource for good, for a factory that does not override {@code destroy}
     * @return this builder
     */
    public PoolBuilder<T> releaser(Releaser<? super T> releaser) {
        this.releaser = Check.notNull("releaser", releaser);
        return this;
    }

    /**
     * Runs on every lease before the caller gets it, on the caller's thread (commons-pool2's
     * {@code activateObject}); a hook that throws destroys the resource and the acquire tries
     * another.
     *
     * @param hook the activation
     * @return this builder
     */
    public PoolBuilder<T> onAcquire(ResourceConsumer<? super T, ? extends Exception> hook) {
        this.onAcquire = Check.notNull("onAcquire", hook);
        return this;
    }

    /**
     * @param listener receives the pool's events (more can be added after build with
     *     {@link Pool#addListener})
     * @return this builder
     */
    public PoolBuilder<T> listener(PoolListener<T> listener) {
        listeners.add(Check.notNull("listener", listener));
        return this;
    }

    /**
     * Builds and starts the pool; creates {@code initialSize} resources first.
     *
     * @return the running pool
     * @throws IllegalArgumentException when options contradict each other, or a hook is defined twice
     * @throws ResourceCreationException when {@code initialSize > 0} and no resource could be
     *     created within {@code initializationFailTimeout}
     */
    public Pool<T> build() {
        return Pools.open(config, resolveHooks(), List.copyOf(listeners));
    }

    private Hooks<T> resolveHooks() {
        boolean validates = overrides("validate", Object.class) || overrides("validate", Object.class, Duration.class);
        boolean resets = overrides("reset", Object.class);
        boolean destroys = overrides("destroy", Object.class);
        rejectTwice(validates && validator != null, "validate", "validator");
        rejectTwice(resets && resetter != null, "reset", "resetter");
        rejectTwice(destroys && releaser != null, "destroy", "releaser");
        ResourceFactory<T> f = factory;
        Validator<? super T> v = validator;
        Resetter<? super T> r = resetter;
        Releaser<? super T> d = releaser;
        ResourceConsumer<? super T, ? extends Exception> a = onAcquire;
        return new Hooks<>(validates || v != null, resets || r != null, a != null) {
            @Override
            protected T create() throws Exception {
                return f.create();
            }

            @Override
            protected boolean validate(T resource, Duration bound) throws Exception {
                return v != null ? v.validate(resource) : f.validate(resource, bound);
            }

            @Override
            protected void reset(T resource) throws Exception {
                if (r != null) {
                    r.reset(resource);
                } else {
                    f.reset(resource);
                }
            }

            @Override
            protected void destroy(T resource) throws Exception {
                if (d != null) {
                    d.release(resource);
                } else {
                    f.destroy(resource);
                }
            }

            @Override
            protected void onAcquire(T resource) throws Exception {
                if (a != null) {
                    a.accept(resource);
                }
            }
        };
    }

    private boolean overrides(String method, Class<?>... params) {
        return Hooks.overrides(factory, ResourceFactory.class, method, params);
    }

    private void rejectTwice(boolean twice, String factoryMethod, String builderOption) {
        if (twice) {
            throw new IllegalArgumentException("the " + factoryMethod + " hook is defined twice: " + factory.getClass().getName()
                    + " overrides " + factoryMethod + "() and ." + builderOption + "(..) is set as well; keep one"
                    + " (a hook that is silently skipped is a bug, a skipped destroy a leak)");
        }
    }
}
