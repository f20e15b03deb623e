package io.poolkit.bench.pools;

import io.poolkit.bench.Res;
import io.poolkit.bench.Settings;
import java.time.Duration;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * commons-pool2's {@code GenericObjectPool}: maxTotal = maxIdle = size (its default maxIdle of 8
 * would destroy returns above 8), a bounded wait, everything else default, pre-filled with
 * {@code addObjects(size)}. {@code timed}: its evictor runs every {@link Settings#HOUSEKEEPING} with
 * the idle timeout; commons-pool2 has no lifetime and no validate-after-idle, so
 * {@code activateObject} does both the way commons-dbcp2 does (it checks the lifetime there).
 */
@State(Scope.Benchmark)
public class CommonsPool2State {
    /** Objects in the pool. */
    @Param("10")
    public int size;

    /** {@value Settings#DEFAULT} or {@value Settings#TIMED}. */
    @Param(Settings.DEFAULT)
    public String config;

    /** The pool under test. */
    public GenericObjectPool<Res> pool;

    /**
     * Builds and fills the pool.
     *
     * @throws Exception never expected
     */
    @Setup(Level.Trial)
    public void open() throws Exception {
        boolean timed = Settings.timed(config);
        GenericObjectPoolConfig<Res> cfg = new GenericObjectPoolConfig<>();
        cfg.setMaxTotal(size);
        cfg.setMaxIdle(size);
        cfg.setMaxWait(Settings.ACQUIRE_TIMEOUT);
        cfg.setJmxEnabled(false);
        if (timed) {
            cfg.setTimeBetweenEvictionRuns(Settings.HOUSEKEEPING);
            cfg.setMinEvictableIdleDuration(Settings.IDLE_TIMEOUT);
        }
        pool = new GenericObjectPool<>(new Factory(timed), cfg);
        pool.addObjects(size);
        Warm.check("commons-pool2", size, pool.getNumIdle());
    }

    /** Closes the pool. */
    @TearDown(Level.Trial)
    public void close() {
        pool.close();
    }

    static final class Factory extends BasePooledObjectFactory<Res> {
        private static final long LIFETIME = Settings.MAX_LIFETIME.toNanos();
        private static final Duration VALIDATE_AFTER_IDLE = Settings.VALIDATE_AFTER_IDLE;
        private final boolean timed;

        Factory(boolean timed) {
            this.timed = timed;
        }

        @Override
        public Res create() {
            return new Res();
        }

        @Override
        public PooledObject<Res> wrap(Res res) {
            return new DefaultPooledObject<>(res);
        }

        @Override
        public void activateObject(PooledObject<Res> p) throws Exception {
            if (timed) {
                Res res = p.getObject();
                if (System.nanoTime() - res.bornNanos() > LIFETIME) {
                    throw new IllegalStateException("lifetime exceeded");
                }
                if (p.getIdleDuration().compareTo(VALIDATE_AFTER_IDLE) >= 0 && !res.isValid()) {
                    throw new IllegalStateException("validation failed");
                }
            }
        }
    }
}
