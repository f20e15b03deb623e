package io.poolkit.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.poolkit.CircuitState;
import io.poolkit.DestroyReason;
import io.poolkit.KeyedPool;
import io.poolkit.Pool;
import io.poolkit.PoolListener;
import io.poolkit.PoolStats;
import io.poolkit.Registration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a {@link Pool} or {@link KeyedPool}, named and tagged in Micrometer's
 * conventions (dot-separated lowercase names, base units, a {@code pool} tag with the pool's name):
 *
 * <ul>
 *   <li>gauges {@code poolkit.resources} (tag {@code state}: idle, leased, creating, destroying),
 *       {@code poolkit.resources.max}, {@code poolkit.waiters}, {@code poolkit.circuit.state}
 *       (0 closed, 1 half-open, 2 open);
 *   <li>counters {@code poolkit.resources.created}, {@code poolkit.resources.destroyed} (tag
 *       {@code reason}), {@code poolkit.acquires}, {@code poolkit.acquire.timeouts},
 *       {@code poolkit.acquire.rejected}, {@code poolkit.create.failures},
 *       {@code poolkit.leaks.suspected};
 *   <li>timers {@code poolkit.acquire} (time waited for a resource) and {@code poolkit.lease} (time
 *       held), fed by a pool listener.
 * </ul>
 *
 * <p>Gauges and counters read the pool's {@link PoolStats}, so they cost nothing on the acquire
 * path; the two timers register a listener, and a pool with a listener reads the precise clock on
 * every acquire and return (measured in BENCHMARKS.md). For a keyed pool the meters show the totals
 * over every key; the timers carry a {@code key} tag only when {@link #keyTag(Function)} says how to
 * name a key — do that only for a bounded set of keys.
 *
 * {@snippet class=io.poolkit.micrometer.snippets.MetricsSnippets region=bind}
 *
 * <p>Thread-safe after {@link #bindTo}; bind it once.
 */
@SuppressWarnings("exports") // Micrometer is an automatic module: it cannot be required transitively without a warning
public final class PoolMetrics implements MeterBinder, AutoCloseable {
    private final String poolName;
    private final Supplier<PoolStats> stats;
    private final Function<Timers, Registration> listen;
    private Tags tags = Tags.empty();
    private Function<Object, String> keyTag;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private MeterRegistry registry;
    private Registration registration;

    private PoolMetrics(String poolName, Supplier<PoolStats> stats, Function<Timers, Registration> listen) {
        this.poolName = poolName;
        this.stats = stats;
        this.listen = listen;
    }

    /**
     * @param pool the pool to measure
     * @return meters for it, not yet bound
     */
    public static PoolMetrics of(Pool<?> pool) {
        Objects.requireNonNull(pool, "pool must not be null");
        return new PoolMetrics(pool.name(), pool::stats, timers -> listenTo(pool, timers));
    }

    /**
     * @param pool the keyed pool to measure (totals over every key)
     * @return meters for it, not yet bound
     */
    public static PoolMetrics of(KeyedPool<?, ?> pool) {
        Objects.requireNonNull(pool, "pool must not be null");
        return new PoolMetrics(pool.name(), pool::stats, timers -> listenTo(pool, timers));
    }

    /**
     * Meters for any pool that reports {@link PoolStats}: the module pools ({@code PooledDataSource},
     * {@code SshPool}, {@code SecureSessionPool}) pass their name and {@code stats()}. Gauges and
     * counters only; add the timers with {@link #timersFrom(Function)} where the pool takes a
     * {@link PoolListener}.
     *
     * {@snippet class=io.poolkit.micrometer.snippets.MetricsSnippets region=any}
     *
     * @param name the pool's name (the {@code pool} tag)
     * @param stats the pool's stats, polled by the gauges and counters
     * @return meters for it, not yet bound
     */
    public static PoolMetrics of(String name, Supplier<PoolStats> stats) {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(stats, "stats must not be null");
        return new PoolMetrics(name, stats, timers -> () -> { });
    }

    /**
     * Feeds the two timers from a pool that takes a listener, e.g. {@code ds::addListener}.
     *
     * @param addListener registers a listener with the pool and returns its registration
     * @return new meters with the same tags, timers fed by that listener
     */
    public PoolMetrics timersFrom(Function<PoolListener<Object>, Registration> addListener) {
        Objects.requireNonNull(addListener, "addListener must not be null");
        PoolMetrics m = new PoolMetrics(poolName, stats, timers -> addListener.apply(timers.forKey(null)));
        m.tags = tags;
        m.keyTag = keyTag;
        return m;
    }

    private static <T> Registration listenTo(Pool<T> pool, Timers timers) {
        return pool.addListener(timers.forKey(null));
    }

    private static <K, T> Registration listenTo(KeyedPool<K, T> pool, Timers timers) {
        return pool.addListener(timers::forKey);
    }

    /**
     * @param keyValues extra tags, as key-value pairs
     * @return this
     */
    public PoolMetrics tags(String... keyValues) {
        tags = tags.and(keyValues);
        return this;
    }

    /**
     * @param extra extra tags
     * @return this
     */
    public PoolMetrics tags(Iterable<Tag> extra) {
        tags = tags.and(extra);
        return this;
    }

    /**
     * Tags the timers of a keyed pool with each key, named by {@code name}. Only for a bounded set
     * of keys: every key makes its own timers.
     *
     * @param name the tag value for a key
     * @param <K> the key type
     * @return this
     */
    @SuppressWarnings("unchecked")
    public <K> PoolMetrics keyTag(Function<? super K, String> name) {
        Function<? super K, String> n = Objects.requireNonNull(name, "keyTag must not be null");
        this.keyTag = key -> n.apply((K) key);
        return this;
    }

    @Override
    public void bindTo(MeterRegistry meterRegistry) {
        Objects.requireNonNull(meterRegistry, "registry must not be null");
        if (registry != null) {
            throw new IllegalStateException("PoolMetrics of " + poolName + " is already bound; make one per registry");
        }
        registry = meterRegistry;
        Tags base = Tags.of("pool", poolName).and(tags);
        state("idle", PoolStats::idle, base);
        state("leased", PoolStats::leased, base);
        state("creating", PoolStats::creating, base);
        state("destroying", PoolStats::destroying, base);
        gauge("poolkit.resources.max", "the pool's capacity", s -> s.maxSize(), base);
        gauge("poolkit.waiters", "callers waiting to acquire", s -> s.waiting(), base);
        gauge("poolkit.circuit.state", "the create circuit breaker: 0 closed, 1 half-open, 2 open",
                s -> s.circuitState() == CircuitState.CLOSED ? 0 : s.circuitState() == CircuitState.HALF_OPEN ? 1 : 2, base);
        counter("poolkit.resources.created", "resources created", PoolStats::created, base);
        for (DestroyReason reason : DestroyReason.values()) {
            counter("poolkit.resources.destroyed", "resources destroyed, by reason", s -> s.destroyedBy(reason),
                    base.and("reason", reason.name().toLowerCase(Locale.ROOT)));
        }
        counter("poolkit.acquires", "leases handed out", PoolStats::acquired, base);
        counter("poolkit.acquire.timeouts", "acquires that timed out", PoolStats::timeouts, base);
        counter("poolkit.acquire.rejected", "acquires refused at once (maxWaiters, open circuit)", PoolStats::rejected, base);
        counter("poolkit.create.failures", "creates that failed or timed out", PoolStats::createFailures, base);
        counter("poolkit.leaks.suspected", "leases held longer than leakDetection", PoolStats::leaksSuspected, base);
        registration = listen.apply(new Timers(base));
    }

    /** Removes every meter this bound and the listener feeding the timers. Idempotent. */
    @Override
    public void close() {
        Registration r = registration;
        registration = null;
        if (r != null) {
            r.close();
        }
        MeterRegistry reg = registry;
        if (reg != null) {
            meters.forEach(reg::remove);
            meters.clear();
        }
    }

    private void state(String state, ToDoubleFunction<PoolStats> value, Tags base) {
        add(Gauge.builder("poolkit.resources", this, m -> value.applyAsDouble(m.stats.get()))
                .description("resources in each state").tags(base.and("state", state)).strongReference(true)
                .register(registry));
    }

    private void gauge(String name, String description, ToDoubleFunction<PoolStats> value, Tags base) {
        add(Gauge.builder(name, this, m -> value.applyAsDouble(m.stats.get()))
                .description(description).tags(base).strongReference(true).register(registry));
    }

    private void counter(String name, String description, ToDoubleFunction<PoolStats> value, Tags base) {
        add(FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.stats.get()))
                .description(description).tags(base).register(registry));
    }

    private void add(Meter meter) {
        meters.add(meter);
    }

    @Override
    public String toString() {
        return "PoolMetrics[" + poolName + (registry == null ? ", unbound" : "") + "]";
    }

    /** The listener side: acquire-wait and hold timers, per key when a key tag is set. */
    private final class Timers {
        private final Tags base;

        Timers(Tags base) {
            this.base = base;
        }

        <T> PoolListener<T> forKey(Object key) {
            Tags t = key != null && keyTag != null ? base.and("key", keyTag.apply(key)) : base;
            Timer wait = Timer.builder("poolkit.acquire").description("time an acquire waited for a resource")
                    .tags(t).register(registry);
            Timer held = Timer.builder("poolkit.lease").description("time a resource was held")
                    .tags(t).register(registry);
            add(wait);
            add(held);
            return new PoolListener<>() {
                @Override
                public void acquired(T resource, long waitNanos) {
                    wait.record(waitNanos, TimeUnit.NANOSECONDS);
                }

                @Override
                public void returned(T resource, long heldNanos) {
                    held.record(heldNanos, TimeUnit.NANOSECONDS);
                }
            };
        }
    }
}
