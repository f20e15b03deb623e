package io.poolkit.bench.pools;

import io.poolkit.Pool;
import io.poolkit.PoolBuilder;
import io.poolkit.bench.Res;
import io.poolkit.bench.Settings;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** poolkit: {@code Pool.builder(Res::new).maxSize(size).build()}, warmed up to {@code size}. */
@State(Scope.Benchmark)
public class PoolkitState {
    /** Resources in the pool. */
    @Param("10")
    public int size;

    /** {@value Settings#DEFAULT} or {@value Settings#TIMED}. */
    @Param(Settings.DEFAULT)
    public String config;

    /** The pool under test. */
    public Pool<Res> pool;

    /**
     * Builds the pool and creates every resource before measuring.
     *
     * @throws InterruptedException never expected
     */
    @Setup(Level.Trial)
    public void open() throws InterruptedException {
        PoolBuilder<Res> builder = Pool.builder(Res::new).name("bench").maxSize(size);
        if (Settings.timed(config)) {
            builder.idleTimeout(Settings.IDLE_TIMEOUT)
                    .maxLifetime(Settings.MAX_LIFETIME)
                    .validateAfterIdle(Settings.VALIDATE_AFTER_IDLE)
                    .validator(Res::isValid)
                    .maintenanceInterval(Settings.HOUSEKEEPING);
        }
        pool = builder.build();
        Warm.check("poolkit", size, pool.warmUp(size));
    }

    /** Shuts the pool down. */
    @TearDown(Level.Trial)
    public void close() {
        pool.close();
    }
}
