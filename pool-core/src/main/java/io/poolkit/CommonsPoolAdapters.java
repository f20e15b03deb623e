package io.poolkit;

import io.poolkit.internal.Check;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectFactory;

/**
 * Migration from commons-pool2: run an existing {@link PooledObjectFactory} on poolkit.
 *
 * {@snippet class=io.poolkit.snippets.PoolSnippets region=commons}
 *
 * <p>{@code makeObject} becomes create, {@code validateObject} validate, {@code passivateObject}
 * reset, {@code destroyObject} destroy, and {@code activateObject} runs on every lease through the
 * builder's {@link PoolBuilder#onAcquire onAcquire} hook. Each object keeps the
 * {@link PooledObject} wrapper {@code makeObject} gave it, so factories that keep state there work.
 * commons-pool2 is an optional dependency of pool-core ({@code requires static}): bring it yourself
 * to use this class; a modular application also adds {@code requires org.apache.commons.pool2}.
 */
@SuppressWarnings("exports") // commons-pool2 is optional (requires static): only users who migrate have it
public final class CommonsPoolAdapters {
    private CommonsPoolAdapters() {
    }

    /**
     * @param factory a commons-pool2 factory
     * @param <T> the object type
     * @return the same factory as a poolkit {@link ResourceFactory} (without activation)
     */
    public static <T> ResourceFactory<T> factory(PooledObjectFactory<T> factory) {
        return new Adapter<>(Check.notNull("factory", factory));
    }

    /**
     * @param factory a commons-pool2 factory
     * @param <T> the object type
     * @return a pool builder on the adapted factory, with {@code activateObject} as its
     *     {@code onAcquire} hook
     */
    public static <T> PoolBuilder<T> builder(PooledObjectFactory<T> factory) {
        Adapter<T> adapter = new Adapter<>(Check.notNull("factory", factory));
        return Pool.builder((ResourceFactory<T>) adapter).onAcquire(adapter::activate);
    }

    private static final class Adapter<T> implements ResourceFactory<T> {
        private final PooledObjectFactory<T> factory;
        private final ReentrantLock lock = new ReentrantLock();
        private final Map<T, PooledObject<T>> wrappers = new IdentityHashMap<>();

        Adapter(PooledObjectFactory<T> factory) {
            this.factory = factory;
        }

        private PooledObject<T> wrapper(T object) {
            lock.lock();
            try {
                PooledObject<T> p = wrappers.get(object);
                if (p == null) {
                    throw new IllegalStateException("object " + object.getClass().getName() + " was not made by this factory");
                }
                return p;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public T create() throws Exception {
            PooledObject<T> p = factory.makeObject();
            if (p == null || p.getObject() == null) {
                throw new IllegalStateException(factory.getClass().getName() + ".makeObject() returned no object");
            }
            lock.lock();
            try {
                wrappers.put(p.getObject(), p);
            } finally {
                lock.unlock();
            }
            return p.getObject();
        }

        @Override
        public boolean validate(T resource) {
            return factory.validateObject(wrapper(resource));
        }

        @Override
        public void reset(T resource) throws Exception {
            factory.passivateObject(wrapper(resource));
        }

        @Override
        public void destroy(T resource) throws Exception {
            PooledObject<T> p;
            lock.lock();
            try {
                p = wrappers.remove(resource);
            } finally {
                lock.unlock();
            }
            if (p != null) {
                factory.destroyObject(p);
            }
        }

        void activate(T resource) throws Exception {
            factory.activateObject(wrapper(resource));
        }

        @Override
        public String toString() {
            return "CommonsPoolAdapters.factory(" + factory.getClass().getName() + ")";
        }
    }
}
