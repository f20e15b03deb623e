package io.poolkit;

import io.poolkit.internal.Check;
import io.poolkit.internal.Config;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.function.Predicate;

/**
 * The options shared by {@link PoolBuilder} and {@link KeyedPoolBuilder}. Every setter validates its
 * value and names the rule and the rejected value; rules between options are checked at
 * {@code build()}. Builders are not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter
 */
abstract class BuilderBase<B extends BuilderBase<B>> {
    final Config config = new Config();

    BuilderBase() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * @param name the prefix of every log line, thread name, metric and JMX name (default {@code pool-N})
     * @return this builder
     */
    public B name(String name) {
        config.name = Check.name("name", name);
        return self();
    }

    /**
     * @param maxSize the most resources holding a slot at once: creating, idle, leased or being
     *     destroyed (default 10)
     * @return this builder
     */
    public B maxSize(int maxSize) {
        config.maxSize = Check.atLeast("maxSize", maxSize, 1);
        return self();
    }

    /**
     * @param minIdle idle resources kept ready by background maintenance (default 0)
     * @return this builder
     */
    public B minIdle(int minIdle) {
        config.minIdle = Check.atLeast("minIdle", minIdle, 0);
        return self();
    }

    /**
     * @param timeout the default wait of {@code acquire()} (default 30 s); {@link Pool#FOREVER}
     *     waits indefinitely, which is logged at WARN once
     * @return this builder
     */
    public B acquireTimeout(Duration timeout) {
        config.acquireTimeout = Check.notNegative("acquireTimeout", timeout);
        return self();
    }

    /**
     * @param maxWaiters callers allowed to wait at once for a resource another caller holds; beyond
     *     it an acquire fails at once with {@link PoolExhaustedException}. A caller that a create can
     *     serve (the pool has room below {@code maxSize}) is not counted against it, so 0 means "never
     *     queue behind other callers". Default unbounded (at most 16,777,215 callers can queue).
     * @return this builder
     */
    public B maxWaiters(int maxWaiters) {
        config.maxWaiters = Check.maxWaiters(maxWaiters);
        return self();
    }

    /**
     * @param timeout idle longer than this while more than {@code minIdle} are idle, a resource is
     *     destroyed (default 10 min; {@link Pool#FOREVER} = never)
     * @return this builder
     */
    public B idleTimeout(Duration timeout) {
        config.idleTimeout = Check.notNegative("idleTimeout", timeout);
        return self();
    }

    /**
     * @param lifetime resources older than this are retired: idle ones by maintenance, leased ones
     *     on return; each up to {@code lifetimeJitter} earlier (default {@link Pool#FOREVER})
     * @return this builder
     */
    public B maxLifetime(Duration lifetime) {
        config.maxLifetime = Check.positive("maxLifetime", lifetime);
        return self();
    }

    /**
     * @param jitter the fraction of {@code maxLifetime} by which each resource retires earlier, at
     *     random, so they never expire together (default 0.1)
     * @return this builder
     */
    public B lifetimeJitter(double jitter) {
        config.lifetimeJitter = Check.fraction("lifetimeJitter", jitter);
        return self();
    }

    /**
     * @param idle validate on acquire only a resource idle at least this long (default 500 ms;
     *     {@link Duration#ZERO} = always; {@link Pool#FOREVER} = never)
     * @return this builder
     */
    public B validateAfterIdle(Duration idle) {
        config.validateAfterIdle = Check.notNegative("validateAfterIdle", idle);
        return self();
    }

    /**
     * @param validate validate a returned resource before it goes idle (default false)
     * @return this builder
     */
    public B validateOnReturn(boolean validate) {
        config.validateOnReturn = validate;
        return self();
    }

    /**
     * @param timeout the bound of one validation and of one reset (default 5 s)
     * @return this builder
     */
    public B validationTimeout(Duration timeout) {
        config.validationTimeout = Check.positive("validationTimeout", timeout);
        return self();
    }

    /**
     * @param maxUses retire a resource after this many leases (default unlimited)
     * @return this builder
     */
    public B maxUses(long maxUses) {
        config.maxUses = Check.atLeast("maxUses", maxUses, 1L);
        return self();
    }

    /**
     * @param interval validate idle resources in the background this often (default
     *     {@link Pool#FOREVER} = off)
     * @return this builder
     */
    public B keepaliveInterval(Duration interval) {
        config.keepaliveInterval = Check.positive("keepaliveInterval", interval);
        return self();
    }

    /**
     * @param interval the longest time between two maintenance runs (eviction, expiry, keepalive,
     *     minIdle refill); each deadline also fires on time by itself (default 30 s)
     * @return this builder
     */
    public B maintenanceInterval(Duration interval) {
        config.maintenanceInterval = Check.positive("maintenanceInterval", interval);
        return self();
    }

    /**
     * @param timeout a {@code create()} taking longer counts as failed: its worker is interrupted,
     *     and a resource that still arrives is destroyed (default 30 s)
     * @return this builder
     */
    public B createTimeout(Duration timeout) {
        config.createTimeout = Check.positive("createTimeout", timeout);
        return self();
    }

    /**
     * @param max creates in flight at once, so a spike does not open one resource per waiter (default 2)
     * @return this builder
     */
    public B maxConcurrentCreates(int max) {
        config.maxConcurrentCreates = Check.atLeast("maxConcurrentCreates", max, 1);
        return self();
    }

    /**
     * @param size resources {@code build()} creates before it returns (default 0)
     * @return this builder
     */
    public B initialSize(int size) {
        config.initialSize = Check.atLeast("initialSize", size, 0);
        return self();
    }

    /**
     * @param timeout when {@code initialSize > 0} and no resource could be created within this,
     *     {@code build()} fails with the cause (default 1 ms: one attempt); {@link Pool#FOREVER}
     *     keeps trying in the background and lets {@code build()} return at once
     * @return this builder
     */
    public B initializationFailTimeout(Duration timeout) {
        config.initializationFailTimeout = Check.notNegative("initializationFailTimeout", timeout);
        return self();
    }

    /**
     * @param initial the pause after the first failed create (default 10 ms)
     * @param max the longest pause; pauses double, with jitter, up to it (default 5 s)
     * @return this builder
     */
    public B createRetry(Duration initial, Duration max) {
        Check.notNegative("createRetry initial", initial);
        Check.notNegative("createRetry max", max);
        if (initial.compareTo(max) > 0) {
            throw new IllegalArgumentException("createRetry initial (" + initial + ") must not exceed max (" + max + ")");
        }
        config.createRetryInitial = initial;
        config.createRetryMax = max;
        return self();
    }

    /**
     * After {@code failures} consecutive create failures, for {@code open}, an acquire that finds no
     * idle resource while the pool has room to create fails fast with {@link CircuitOpenException};
     * then one trial create decides. Off by default.
     *
     * @param failures consecutive failures that open the circuit, at least 1
     * @param open how long it stays open, more than zero
     * @return this builder
     */
    public B circuitBreaker(int failures, Duration open) {
        Check.atLeast("circuitBreaker failures", failures, 1);
        config.circuitOpen = Check.positive("circuitBreaker open", open, " (leave circuitBreaker unset to have no breaker)");
        config.circuitFailures = failures;
        return self();
    }

    /**
     * Bounded fairness (DESIGN rule 5): how long a waiting caller may be overtaken by running callers
     * before returned resources are handed to it directly.
     *
     * <p>Waiters queue in arrival order. In <em>normal mode</em> a returned resource goes idle and
     * any running caller may take it at once (no OS wake-up per operation); the return wakes the
     * oldest waiter only if no waiter is awake already, and that waiter competes for idle resources,
     * briefly spinning (never on a virtual thread) before it parks again, keeping its place at the
     * head. Once the oldest waiter has waited {@code fairness}, the pool is in <em>hand-off
     * mode</em>: every return goes straight to the oldest waiter, new callers queue behind it and
     * {@code tryAcquire()} finds nothing, until the oldest remaining waiter has waited less than
     * {@code fairness}. So no caller is overtaken once it has waited {@code fairness} plus one
     * wake-up, and waiters in hand-off mode are served in arrival order. Asynchronous waiters are
     * always served by hand-off. The uncontended fast path is the same in every mode.
     *
     * @param fairness how long a waiter may be overtaken (default 1 ms); {@link Duration#ZERO} hands
     *     every return to the oldest waiter (strict first-come-first-served, the most context switches
     *     under load); {@link Pool#FOREVER} never hands off (the most throughput, an unbounded wait
     *     for an unlucky caller; logged at WARN once)
     * @return this builder
     */
    public B fairness(Duration fairness) {
        config.fairness = Check.notNegative("fairness", fairness);
        return self();
    }

    /**
     * @param order which idle resource an acquire takes (default {@link IdleOrder#LIFO})
     * @return this builder
     */
    public B idleOrder(IdleOrder order) {
        config.idleOrder = Check.notNull("idleOrder", order);
        return self();
    }

    /**
     * @param threshold a lease held longer is logged once at WARN with the stack that acquired it,
     *     and counted (default {@link Pool#FOREVER} = off; on, every acquire records its stack)
     * @return this builder
     */
    public B leakDetection(Duration threshold) {
        config.leakDetection = Check.positive("leakDetection", threshold);
        return self();
    }

    /**
     * @param broken which failures of the work in {@code withResource} mean the resource is broken
     *     and must be destroyed (default none; an {@link Error} always is)
     * @return this builder
     */
    public B invalidateOn(Predicate<Throwable> broken) {
        config.invalidateOn = Check.notNull("invalidateOn", broken);
        return self();
    }

    /**
     * @param enabled register the {@link PoolMXBean} as {@code io.poolkit:type=Pool,name=<name>} (default false)
     * @return this builder
     */
    public B jmx(boolean enabled) {
        config.jmx = enabled;
        return self();
    }

    /**
     * @param timeout the grace period of {@code close()} (default 30 s)
     * @return this builder
     */
    public B shutdownTimeout(Duration timeout) {
        config.shutdownTimeout = Check.notNegative("shutdownTimeout", timeout);
        return self();
    }

    /**
     * @param factory makes the pool's background threads: one scheduler and the workers that
     *     create, validate and destroy (default daemon threads named {@code <name>-...})
     * @return this builder
     */
    public B threadFactory(ThreadFactory factory) {
        config.threadFactory = Check.notNull("threadFactory", factory);
        return self();
    }

    /**
     * @param executor where futures of {@code acquireAsync} complete (default the common pool)
     * @return this builder
     */
    public B asyncExecutor(Executor executor) {
        config.asyncExecutor = Check.notNull("asyncExecutor", executor);
        return self();
    }

    /**
     * @param ticker the pool's time source (default {@link Ticker#system()}); tests inject one
     * @return this builder
     */
    public B ticker(Ticker ticker) {
        config.ticker = Check.notNull("ticker", ticker);
        return self();
    }

    /**
     * @param scheduler runs the pool's timed work (default a daemon thread of the pool's own);
     *     tests inject one with the ticker
     * @return this builder
     */
    public B scheduler(Scheduler scheduler) {
        config.scheduler = Check.notNull("scheduler", scheduler);
        return self();
    }
}
