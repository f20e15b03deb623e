package io.poolkit.bench.pools;

import io.poolkit.IdleOrder;
import io.poolkit.Pool;
import io.poolkit.PoolBuilder;
import io.poolkit.bench.Res;
import io.poolkit.bench.Settings;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * poolkit: {@code Pool.builder(Res::new).maxSize(size).build()}, warmed up to {@code size}; the
 * {@code fairness} parameter sets {@code fairness(Duration)} for the sweep ({@value #DEFAULT_FAIRNESS}
 * leaves the builder's default, 1 ms).
 */
@State(Scope.Benchmark)
public class PoolkitState {
    /** Resources in the pool. */
    @Param("10")
    public int size;

    /** {@value Settings#DEFAULT}, {@value Settings#TIMED} or (poolkit only) {@value Settings#FIFO}. */
    @Param(Settings.DEFAULT)
    public String config;

    /** The {@code fairness} value that leaves the builder's default. */
    public static final String DEFAULT_FAIRNESS = "default";
    /** The fairness sweep, in order: hand-off at once, 50 µs, 200 µs, the default (1 ms), 5 ms, never. */
    public static final List<String> FAIRNESS_SWEEP = List.of("0", "50us", "200us", DEFAULT_FAIRNESS, "5ms", "forever");

    /** {@value #DEFAULT_FAIRNESS}, {@code forever}, or a duration: {@code 0}, {@code 50us}, {@code 1ms}, ... */
    @Param(DEFAULT_FAIRNESS)
    public String fairness;

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
        if (config.equals(Settings.FIFO)) {
            builder.idleOrder(IdleOrder.FIFO);
        } else if (Settings.timed(config)) {
            builder.idleTimeout(Settings.IDLE_TIMEOUT)
                    .maxLifetime(Settings.MAX_LIFETIME)
                    .validateAfterIdle(Settings.VALIDATE_AFTER_IDLE)
                    .validator(Res::isValid)
                    .maintenanceInterval(Settings.HOUSEKEEPING);
        }
        if (!fairness.equals(DEFAULT_FAIRNESS)) {
            builder.fairness(fairness(fairness));
        }
        pool = builder.build();
        Warm.check("poolkit", size, pool.warmUp(size));
    }

    /**
     * @param value a {@code fairness} parameter other than {@value #DEFAULT_FAIRNESS}
     * @return the duration it names
     * @throws IllegalArgumentException when it names none
     */
    public static Duration fairness(String value) {
        if (value.equals("forever")) {
            return Pool.FOREVER;
        }
        Matcher m = Pattern.compile("(\\d+)(us|ms|s)?").matcher(value);
        if (!m.matches() || (m.group(2) == null && !m.group(1).equals("0"))) {
            throw new IllegalArgumentException("fairness must be default, forever, 0 or a number with us, ms or s, but was " + value);
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2) == null ? Duration.ZERO : switch (m.group(2)) {
            case "us" -> Duration.ofNanos(n * 1000);
            case "ms" -> Duration.ofMillis(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** Shuts the pool down. */
    @TearDown(Level.Trial)
    public void close() {
        pool.close();
    }
}
