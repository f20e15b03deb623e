package io.poolkit.snippets;

import io.poolkit.CommonsPoolAdapters;
import io.poolkit.KeyOptions;
import io.poolkit.KeyedPool;
import io.poolkit.KeyedResourceFactory;
import io.poolkit.Lease;
import io.poolkit.Pool;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;

/**
 * The examples in pool-core's javadoc, as compiled code: each {@code @start region=...} is shown
 * by a {@code {@snippet file=... region=...}} tag (javadoc runs on the JDK 21+ leg with
 * {@code --snippet-path} pointing here). {@code SnippetsTest} runs them.
 */
final class PoolSnippets {
    private PoolSnippets() {
    }

    static void basic() throws InterruptedException {
        // @start region="basic"
        Pool<Conn> pool = Pool.builder(Conn::open).releaser(Conn::close).maxSize(10).build();
        try (Lease<Conn> lease = pool.acquire()) {
            lease.get().send("ping");
        }
        // @end
        pool.close();
    }

    static void builder() {
        // @start region="builder"
        Pool<Conn> pool = Pool.builder(Conn::open)
                .releaser(Conn::close)
                .validator(Conn::isOpen)
                .maxSize(10)
                .minIdle(2)
                .build();
        // @end
        pool.close();
    }

    /** A keyed factory: one connection per host. */
    static final class ConnFactory implements KeyedResourceFactory<String, Conn> {
        @Override
        public Conn create(String host) {
            return Conn.open(host);
        }

        @Override
        public void destroy(String host, Conn conn) {
            conn.close();
        }
    }

    static void keyed() throws InterruptedException {
        // @start region="keyed"
        KeyedPool<String, Conn> pool = KeyedPool.builder(new ConnFactory())
                .maxSize(4).maxTotal(32).build();
        try (Lease<Conn> lease = pool.acquire("db-eu-1")) {
            lease.get().send("ping");
        }
        // @end
        pool.close();
    }

    static KeyOptions keyOptions() {
        // @start region="key-options"
        KeyOptions big = KeyOptions.defaults().maxSize(20).minIdle(2);
        // @end
        return big;
    }

    /** A commons-pool2 factory, as users migrating already have one. */
    static final class MyPooledConnFactory extends BasePooledObjectFactory<Conn> {
        @Override
        public Conn create() {
            return Conn.open();
        }

        @Override
        public PooledObject<Conn> wrap(Conn conn) {
            return new DefaultPooledObject<>(conn);
        }

        @Override
        public void destroyObject(PooledObject<Conn> p) {
            p.getObject().close();
        }
    }

    static void commons() throws InterruptedException {
        // @start region="commons"
        Pool<Conn> pool = CommonsPoolAdapters.builder(new MyPooledConnFactory()).maxSize(10).build();
        // @end
        pool.acquire().close();
        pool.close();
    }
}
