package io.poolkit.bench.pools;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.poolkit.Pool;
import io.poolkit.PoolBuilder;
import io.poolkit.PoolListener;
import io.poolkit.bench.Res;
import io.poolkit.micrometer.PoolMetrics;
import java.time.Duration;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * poolkit with the features that fall outside the speed targets: a listener, leak detection, or
 * both; {@code baseline} is the default pool again, measured in the same run for the difference.
 */
@State(Scope.Benchmark)
public class PoolkitExtrasState {
    /** Resources in the pool. */
    @Param("10")
    public int size;

    /** {@code baseline}, {@code listener}, {@code leakDetection} or {@code listener+leakDetection}. */
    @Param({"baseline", "listener", "leakDetection", "listener+leakDetection", "micrometer"})
    public String variant;

    /** The pool under test. */
    public Pool<Res> pool;

    /**
     * Builds the pool and creates every resource before measuring.
     *
     * @throws InterruptedException never expected
     */
    @Setup(Level.Trial)
    public void open() throws InterruptedException {
        PoolBuilder<Res> builder = Pool.builder(Res::new).name("bench-extras").maxSize(size);
        switch (variant) {
            case "baseline" -> { }
            case "listener" -> builder.listener(new QuietListener());
            case "leakDetection" -> builder.leakDetection(Duration.ofMinutes(1));
            case "listener+leakDetection" -> builder.listener(new QuietListener()).leakDetection(Duration.ofMinutes(1));
            case "micrometer" -> { }
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        }
        pool = builder.build();
        if (variant.equals("micrometer")) {
            PoolMetrics.of(pool).bindTo(new SimpleMeterRegistry()); // gauges, counters and the two timers
        }
        Warm.check("poolkit " + variant, size, pool.warmUp(size));
    }

    /** Shuts the pool down. */
    @TearDown(Level.Trial)
    public void close() {
        pool.close();
    }

    /**
     * Overrides the per-lease events with empty bodies: what is measured is what the pool pays to
     * deliver them (timestamps, dispatch), not what a listener does with them.
     */
    static final class QuietListener implements PoolListener<Res> {
        @Override
        public void acquired(Res resource, long waitNanos) {
        }

        @Override
        public void returned(Res resource, long heldNanos) {
        }
    }
}
