package io.poolkit.internal;

import io.poolkit.IdleOrder;
import io.poolkit.Pool;
import io.poolkit.Scheduler;
import io.poolkit.Ticker;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The options of one pool, as the builder collected and validated them. Mutable only while
 * building; a pool works from its own {@link #copy()}.
 */
public final class Config implements Cloneable {
    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    public String name;
    public int maxSize = 10;
    public int minIdle = 0;
    public Duration acquireTimeout = Duration.ofSeconds(30);
    public int maxWaiters = Integer.MAX_VALUE;
    public Duration idleTimeout = Duration.ofMinutes(10);
    public Duration maxLifetime = Pool.FOREVER;
    public double lifetimeJitter = 0.1;
    public Duration validateAfterIdle = Duration.ofMillis(500);
    public boolean validateOnReturn = false;
    public Duration validationTimeout = Duration.ofSeconds(5);
    public long maxUses = Long.MAX_VALUE;
    public Duration keepaliveInterval = Pool.FOREVER;
    public Duration maintenanceInterval = Duration.ofSeconds(30);
    public Duration createTimeout = Duration.ofSeconds(30);
    public int maxConcurrentCreates = 2;
    public int initialSize = 0;
    public Duration initializationFailTimeout = Duration.ofMillis(1);
    public Duration createRetryInitial = Duration.ofMillis(10);
    public Duration createRetryMax = Duration.ofSeconds(5);
    public int circuitFailures = 0; // 0 = no breaker
    public Duration circuitOpen = Duration.ofSeconds(30);
    public IdleOrder idleOrder = IdleOrder.LIFO;
    public Duration fairness = Duration.ofMillis(1);
    public Duration leakDetection = Pool.FOREVER;
    public Predicate<Throwable> invalidateOn = t -> false;
    public boolean jmx = false;
    public Duration shutdownTimeout = Duration.ofSeconds(30);
    public ThreadFactory threadFactory; // null = daemon threads named after the pool
    public Executor asyncExecutor; // null = the common pool
    public Ticker ticker = Ticker.system();
    public Scheduler scheduler; // null = the pool's own scheduler thread

    /** @return the configured name, or the next {@code pool-N} */
    public String nameOrDefault() {
        return name != null ? name : "pool-" + POOL_NUMBER.incrementAndGet();
    }

    public Config copy() {
        try {
            return (Config) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    /** The rules between options, checked at {@code build()}. */
    public void checkCrossFieldRules() {
        if (minIdle > maxSize) {
            throw new IllegalArgumentException("minIdle (" + minIdle + ") must not exceed maxSize (" + maxSize + ")");
        }
        if (initialSize > maxSize) {
            throw new IllegalArgumentException("initialSize (" + initialSize + ") must not exceed maxSize (" + maxSize + ")");
        }
    }
}
