package io.poolkit.examples;

import io.poolkit.CommonsPoolAdapters;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;

/**
 * Migrating from commons-pool2: keep the {@code PooledObjectFactory} you have, run it on poolkit.
 * makeObject, validateObject, activateObject, passivateObject and destroyObject keep their meaning.
 */
public final class CommonsPoolMigrationExample {
    private CommonsPoolMigrationExample() {
    }

    /** A parser that is expensive to build and must be reset between uses: a typical pooled object. */
    public static final class Parser {
        private final StringBuilder buffer = new StringBuilder();
        private boolean closed;

        int parse(String text) {
            buffer.append(text);
            return buffer.length();
        }

        void clear() {
            buffer.setLength(0);
        }

        void close() {
            closed = true;
        }

        boolean isClosed() {
            return closed;
        }
    }

    /** The commons-pool2 factory an application already has. */
    public static final class ParserFactory extends BasePooledObjectFactory<Parser> {
        final AtomicInteger made = new AtomicInteger();
        final AtomicInteger passivated = new AtomicInteger();
        final AtomicInteger destroyed = new AtomicInteger();

        @Override
        public Parser create() {
            made.incrementAndGet();
            return new Parser();
        }

        @Override
        public PooledObject<Parser> wrap(Parser parser) {
            return new DefaultPooledObject<>(parser);
        }

        @Override
        public boolean validateObject(PooledObject<Parser> p) {
            return !p.getObject().isClosed();
        }

        @Override
        public void passivateObject(PooledObject<Parser> p) {
            passivated.incrementAndGet();
            p.getObject().clear(); // the next borrower starts clean
        }

        @Override
        public void destroyObject(PooledObject<Parser> p) {
            destroyed.incrementAndGet();
            p.getObject().close();
        }
    }

    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /** Parses a few documents through the migrated factory; returns the pool's final stats. */
    public static PoolStats run(PrintStream out) throws Exception {
        ParserFactory factory = new ParserFactory();
        PoolStats stats;
        // Before: new GenericObjectPool<>(factory) ... pool.borrowObject() / pool.returnObject(p)
        try (Pool<Parser> pool = CommonsPoolAdapters.builder(factory)
                .name("parsers").maxSize(2).acquireTimeout(Duration.ofSeconds(5)).build()) {
            for (String doc : new String[] {"alpha", "beta", "gamma", "delta"}) {
                try (Lease<Parser> lease = pool.acquire()) {
                    int length = lease.get().parse(doc);
                    out.printf("parsed %-5s -> %d chars in the buffer (reset between uses)%n", doc, length);
                }
            }
            stats = pool.stats();
        }
        out.printf("commons-pool2 factory on poolkit: made=%d, passivated=%d, destroyed=%d; pool created=%d, acquired=%d%n",
                factory.made.get(), factory.passivated.get(), factory.destroyed.get(), stats.created(), stats.acquired());
        return stats;
    }
}
