package io.poolkit.bench.pools;

import io.poolkit.bench.Res;
import io.poolkit.bench.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import stormpot.Allocator;
import stormpot.BasePoolable;
import stormpot.Expiration;
import stormpot.Pool;
import stormpot.PoolBuilder;
import stormpot.Slot;
import stormpot.Timeout;

/**
 * Stormpot 4: {@code Pool.from(allocator).setSize(size)}, claimed through the pool itself (its
 * default thread-safe tap). {@code default}: {@code Expiration.never()}; {@code timed}: the
 * builder's default, time-based expiration.
 */
@State(Scope.Benchmark)
public class StormpotState {
    /** Objects in the pool. */
    @Param("10")
    public int size;

    /** {@value Settings#DEFAULT} or {@value Settings#TIMED}. */
    @Param(Settings.DEFAULT)
    public String config;

    /** The pool under test. */
    public Pool<Pooled> pool;

    /** The claim timeout, made once so the benchmark does not allocate it. */
    public final Timeout timeout = new Timeout(Settings.ACQUIRE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

    /**
     * Builds the pool and waits until every object is allocated.
     *
     * @throws InterruptedException never expected
     */
    @Setup(Level.Trial)
    public void open() throws InterruptedException {
        PoolBuilder<Pooled> builder = Pool.from(new PooledAllocator()).setSize(size);
        if (!Settings.timed(config)) {
            builder.setExpiration(Expiration.never());
        }
        pool = builder.build();
        // Claiming all of them waits for the background allocator to fill the pool.
        List<Pooled> all = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Pooled p = pool.claim(timeout);
            if (p == null) {
                throw new IllegalStateException("stormpot: could not claim object " + (i + 1) + " of " + size);
            }
            all.add(p);
        }
        all.forEach(Pooled::release);
    }

    /**
     * Shuts the pool down.
     *
     * @throws InterruptedException never expected
     */
    @TearDown(Level.Trial)
    public void close() throws InterruptedException {
        pool.shutdown().await(new Timeout(10, TimeUnit.SECONDS));
    }

    /** Stormpot's poolable: the object plus the slot it goes back to. */
    public static final class Pooled extends BasePoolable {
        /** The pooled object. */
        public final Res res = new Res();

        Pooled(Slot slot) {
            super(slot);
        }
    }

    static final class PooledAllocator implements Allocator<Pooled> {
        @Override
        public Pooled allocate(Slot slot) {
            return new Pooled(slot);
        }

        @Override
        public void deallocate(Pooled poolable) {
        }
    }
}
