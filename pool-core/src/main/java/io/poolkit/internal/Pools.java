package io.poolkit.internal;

import io.poolkit.Pool;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolListener;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds and starts pools for the public builders. */
public final class Pools {
    private static final Logger log = LoggerFactory.getLogger(Pools.class);

    private Pools() {
    }

    /**
     * Starts a pool: its runtime, JMX registration, maintenance, and the {@code initialSize}
     * creates; a failure there shuts the half-started pool down before it is rethrown.
     */
    public static <T> Pool<T> open(Config built, Hooks<T> hooks, List<PoolListener<T>> listeners) {
        Config config = built.copy();
        config.checkCrossFieldRules();
        String name = config.nameOrDefault();
        warnAboutForever(name, config);
        PoolRuntime runtime = new PoolRuntime(config, name);
        CorePool<T> pool;
        Runnable unregister = () -> { };
        try {
            pool = new CorePool<>(config, name, hooks, runtime, p -> Capacity.NONE, null, Integer.MAX_VALUE);
            listeners.forEach(pool::addListener);
            if (config.jmx) {
                unregister = PoolMXBeanImpl.register(pool);
            }
        } catch (RuntimeException | Error e) {
            runtime.stop();
            throw e;
        }
        Runnable jmx = unregister;
        pool.onClosed(() -> {
            jmx.run();
            runtime.stop();
        });
        try {
            // the initial creates first: a minIdle refill started alongside would race them and over-create
            pool.creator.initialize(config.initialSize, Durations.toNanos(config.initializationFailTimeout));
            pool.start();
        } catch (RuntimeException e) {
            pool.shutdownQuietly();
            throw e;
        } catch (InterruptedException e) {
            pool.shutdownQuietly();
            Thread.currentThread().interrupt();
            throw new PoolClosedException(name + " - interrupted while creating the initial resources; the pool was shut down");
        }
        log.debug("{} - started (maxSize={}, minIdle={})", name, config.maxSize, config.minIdle);
        return pool;
    }

    static void warnAboutForever(String name, Config config) {
        if (config.acquireTimeout.equals(Pool.FOREVER)) {
            log.warn("{} - acquireTimeout is FOREVER: callers wait indefinitely when the pool is exhausted", name);
        }
        if (config.fairness.equals(Pool.FOREVER)) {
            log.warn("{} - fairness is FOREVER: returns are never handed to a waiting caller, so under load a caller can wait until its timeout while others are served", name);
        }
        if (config.createTimeout.equals(Pool.FOREVER)) {
            log.warn("{} - createTimeout is FOREVER: a create() that hangs holds its slot for good", name);
        }
        if (config.shutdownTimeout.compareTo(Duration.ofDays(1)) > 0) {
            log.info("{} - shutdownTimeout is {}: close() waits that long for leases", name, Durations.describe(config.shutdownTimeout));
        }
    }
}
