package io.poolkit.bench.pools;

import io.poolkit.bench.Res;
import io.poolkit.bench.Settings;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.vibur.objectpool.ConcurrentPool;
import org.vibur.objectpool.PoolObjectFactory;
import org.vibur.objectpool.util.ConcurrentLinkedDequeCollection;
import org.vibur.objectpool.util.SamplingPoolReducer;

/**
 * vibur-object-pool's {@code ConcurrentPool} (initialSize = maxSize = size, so it is full before
 * measuring); {@code tryTake(timeout)} and {@code restore}. {@code fair} is vibur's fairness flag
 * (a fair semaphore). {@code timed}: the factory's {@code readyToTake}/{@code readyToRestore} hooks
 * check the lifetime, validate after idle and stamp the last use, as vibur-dbcp does, and a
 * {@code SamplingPoolReducer} shrinks an idle pool.
 */
@State(Scope.Benchmark)
public class ViburState {
    private static final long TIMEOUT_MS = Settings.ACQUIRE_TIMEOUT.toMillis();

    /** Objects in the pool. */
    @Param("10")
    public int size;

    /** {@value Settings#DEFAULT} or {@value Settings#TIMED}. */
    @Param(Settings.DEFAULT)
    public String config;

    /** vibur's fairness flag. */
    @Param("true")
    public boolean fair;

    /** The pool under test. */
    public ConcurrentPool<Res> pool;
    private SamplingPoolReducer reducer;

    /** Builds the pool. */
    @Setup(Level.Trial)
    public void open() {
        boolean timed = Settings.timed(config);
        pool = new ConcurrentPool<>(new ConcurrentLinkedDequeCollection<>(), new Factory(timed), size, size, fair);
        if (timed) {
            reducer = new SamplingPoolReducer(pool, Settings.HOUSEKEEPING.toMillis(), TimeUnit.MILLISECONDS, 10);
            reducer.start();
        }
        Warm.check("vibur", size, pool.remainingCreated());
    }

    /**
     * Takes an object.
     *
     * @return the object
     */
    public Res take() {
        Res res = pool.tryTake(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (res == null) {
            throw new IllegalStateException("vibur: take timed out");
        }
        return res;
    }

    /** Stops the reducer and closes the pool. */
    @TearDown(Level.Trial)
    public void close() {
        if (reducer != null) {
            reducer.terminate();
        }
        pool.close();
    }

    static final class Factory implements PoolObjectFactory<Res> {
        private static final long LIFETIME = Settings.MAX_LIFETIME.toNanos();
        private static final long VALIDATE_AFTER_IDLE = Settings.VALIDATE_AFTER_IDLE.toNanos();
        private final boolean timed;

        Factory(boolean timed) {
            this.timed = timed;
        }

        @Override
        public Res create() {
            return new Res();
        }

        @Override
        public boolean readyToTake(Res res) {
            if (!timed) {
                return true;
            }
            long now = System.nanoTime();
            if (now - res.bornNanos() > LIFETIME) {
                return false;
            }
            return now - res.lastUsedNanos() < VALIDATE_AFTER_IDLE || res.isValid();
        }

        @Override
        public boolean readyToRestore(Res res) {
            if (timed) {
                res.lastUsedNanos(System.nanoTime());
            }
            return true;
        }

        @Override
        public void destroy(Res res) {
        }
    }
}
