package io.poolkit.internal;

import io.poolkit.CircuitState;
import io.poolkit.DestroyReason;
import io.poolkit.KeyedPool;
import io.poolkit.KeyedPoolListener;
import io.poolkit.KeyedResourceFactory;
import io.poolkit.Lease;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolStats;
import io.poolkit.Registration;
import io.poolkit.ResourceConsumer;
import io.poolkit.ResourceFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A keyed pool: one {@link CorePool} per key, sharing one runtime (scheduler, workers, clock), one
 * global size limit ({@code maxTotal}) and one global waiter count. This class keeps the key
 * lifecycle (open on first use, remove, the idle-key sweep) and relays each acquire to the key's
 * pool; the limit and the protocol that keeps a key from starving under it ({@link Gate#PEER_STARVED},
 * {@link DestroyReason#EVICTED_FOR_KEY}) are {@link GlobalCap}'s, the totals {@link KeyedStats}'.
 *
 * <p>A sub-pool with nothing in it for {@code keyIdleTimeout} is closed and removed; a caller that
 * raced with that removal simply retries on a fresh sub-pool.
 */
public final class KeyedPoolImpl<K, T> implements KeyedPool<K, T> {
    private static final Logger log = LoggerFactory.getLogger(KeyedPoolImpl.class);

    /**
     * A key's sub-pool and what only the keyed pool keeps about it, so the core pool carries no
     * keyed-only state.
     */
    static final class SubPool<K, T> {
        final K key;
        final CorePool<T> pool;
        /** Closed because its key was removed, so a caller should retry on a fresh sub-pool. */
        volatile boolean retired;
        /** When the key sweep first saw the pool empty, read and written by the sweep alone. */
        long emptySince = Long.MIN_VALUE;

        SubPool(K key, CorePool<T> pool) {
            this.key = key;
            this.pool = pool;
        }
    }

    /** A key's overrides, as the builder resolved them (null = the default). */
    public record Overrides(Integer maxSize, Integer minIdle, Duration acquireTimeout, int circuitFailures, Duration circuitOpen) {
    }

    private final Config defaults;
    private final String name;
    private final KeyedResourceFactory<K, T> factory;
    private final int maxTotal;
    private final long keyIdleNanos;
    private final Function<? super K, Overrides> perKey;
    private final boolean validates;
    private final boolean resets;
    private final PoolRuntime runtime;
    private final ConcurrentHashMap<K, SubPool<K, T>> pools = new ConcurrentHashMap<>();
    private final AtomicInteger sharedWaiters = new AtomicInteger();
    private final GlobalCap<T> total;
    private final KeyedStats<K, T> stats = new KeyedStats<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final List<KeyedPoolListener<K, T>> listeners = new ArrayList<>();
    private final Map<KeyedPoolListener<K, T>, List<Registration>> registrations = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** The coarse clock's safety net for starved keys: see {@link GlobalCap#rescue()}. */
    private final Runnable rescue;

    public KeyedPoolImpl(Config built, KeyedResourceFactory<K, T> factory, int maxTotal, Duration keyIdleTimeout,
                         Function<? super K, Overrides> perKey, List<KeyedPoolListener<K, T>> initialListeners) {
        this.defaults = built.copy();
        this.defaults.checkCrossFieldRules();
        this.name = defaults.nameOrDefault();
        this.factory = factory;
        this.maxTotal = maxTotal;
        this.total = new GlobalCap<>(maxTotal, () -> pools.values().stream().map(s -> s.pool).iterator());
        this.keyIdleNanos = Durations.toNanos(keyIdleTimeout);
        this.perKey = perKey;
        this.validates = Hooks.overrides(factory, KeyedResourceFactory.class, "validate", Object.class, Object.class, Duration.class);
        this.resets = Hooks.overrides(factory, KeyedResourceFactory.class, "reset", Object.class, Object.class);
        Pools.warnAboutForever(name, defaults);
        this.runtime = new PoolRuntime(defaults, name);
        this.listeners.addAll(initialListeners);
        if (keyIdleNanos != Durations.NEVER) {
            scheduleKeySweep();
        }
        this.rescue = total::rescue;
        CoarseClock.watch(rescue); // on real time whatever the ticker: see CoarseClock
    }


    // ---------------------------------------------------------------- sub-pools

    private SubPool<K, T> pool(K key) {
        Check.notNull("key", key);
        SubPool<K, T> s = pools.get(key);
        if (s != null) {
            return s;
        }
        if (closed) {
            throw closedException();
        }
        s = pools.computeIfAbsent(key, this::open);
        total.adopt(s.pool); // now that the key map holds it, no change of the starvation flag can pass it by
        return s;
    }

    private SubPool<K, T> open(K key) {
        if (closed) {
            throw closedException();
        }
        Overrides o = perKey.apply(key);
        Config c = defaults.copy();
        if (o.maxSize() != null) {
            c.maxSize = o.maxSize();
        }
        if (o.minIdle() != null) {
            c.minIdle = o.minIdle();
        }
        if (o.acquireTimeout() != null) {
            c.acquireTimeout = o.acquireTimeout();
        }
        if (o.circuitFailures() > 0) {
            c.circuitFailures = o.circuitFailures();
            c.circuitOpen = o.circuitOpen();
        }
        try {
            c.checkCrossFieldRules();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " - options for key " + key + ": " + e.getMessage(), e);
        }
        c.maxWaiters = Integer.MAX_VALUE;
        String subName = name + "[" + key + "]";
        CorePool<T> p = new CorePool<>(c, subName, hooksFor(key), runtime, total::forPool, sharedWaiters, defaults.maxWaiters);
        lock.lock();
        try {
            for (KeyedPoolListener<K, T> l : listeners) {
                registrations.computeIfAbsent(l, x -> new ArrayList<>()).add(p.addListener(l.forKey(key)));
            }
        } finally {
            lock.unlock();
        }
        if (c.jmx) {
            Runnable unregister = PoolMXBeanImpl.register(p);
            p.onClosed(unregister);
        }
        if (total.starving()) {
            p.setGateBit(Gate.PEER_STARVED, true); // early, for its first creates; pool() settles it
        }
        p.start();
        log.debug("{} - opened key {}", name, key);
        return new SubPool<>(key, p);
    }

    private Hooks<T> hooksFor(K key) {
        KeyedResourceFactory<K, T> f = factory;
        return new Hooks<>(validates, resets, false) {
            @Override
            protected T create() throws Exception {
                return f.create(key);
            }

            @Override
            protected boolean validate(T resource, Duration bound) throws Exception {
                return f.validate(key, resource, bound);
            }

            @Override
            protected void reset(T resource) throws Exception {
                f.reset(key, resource);
            }

            @Override
            protected void destroy(T resource) throws Exception {
                f.destroy(key, resource);
            }

            @Override
            protected void onAcquire(T resource) {
            }
        };
    }

    /** The sub-pool of {@code key}, or null: for tests in this package (gate bits, counts). */
    CorePool<T> subPool(K key) {
        SubPool<K, T> s = pools.get(key);
        return s == null ? null : s.pool;
    }

    /** Waiters across every key (the maxWaiters count): for tests in this package. */
    int sharedWaiters() {
        return sharedWaiters.get();
    }

    /** Whether a key is starved under maxTotal (every key then carries PEER_STARVED): for tests in this package. */
    boolean starving() {
        return total.starving();
    }

    private PoolClosedException closedException() {
        return new PoolClosedException(name + " - keyed pool is closed; it hands out nothing more");
    }

    // ---------------------------------------------------------------- acquire

    @Override
    public Lease<T> acquire(K key) throws InterruptedException {
        for (;;) {
            SubPool<K, T> sub = pool(key);
            CorePool<T> p = sub.pool;
            try {
                return p.acquire();
            } catch (PoolClosedException e) {
                retryOrThrow(sub, e);
            }
        }
    }

    @Override
    public Lease<T> acquire(K key, Duration timeout) throws InterruptedException {
        Check.notNegative("timeout", timeout);
        for (;;) {
            SubPool<K, T> sub = pool(key);
            CorePool<T> p = sub.pool;
            try {
                return p.acquire(timeout);
            } catch (PoolClosedException e) {
                retryOrThrow(sub, e);
            }
        }
    }

    @Override
    public Optional<Lease<T>> tryAcquire(K key) {
        for (;;) {
            SubPool<K, T> sub = pool(key);
            CorePool<T> p = sub.pool;
            try {
                return p.tryAcquire();
            } catch (PoolClosedException e) {
                retryOrThrow(sub, e);
            }
        }
    }

    @Override
    public CompletableFuture<Lease<T>> acquireAsync(K key) {
        CompletableFuture<Lease<T>> result = new CompletableFuture<>();
        relay(key, result);
        return result;
    }

    /**
     * Completes {@code result} from a sub-pool's future, retrying on a fresh sub-pool when the key's
     * was removed under the caller. The caller's future is the one that counts: when someone else
     * completes it (cancel, orTimeout), the sub-pool's waiter is withdrawn, and a lease that arrives
     * anyway is closed, which passes it to the next waiter.
     */
    private void relay(K key, CompletableFuture<Lease<T>> result) {
        SubPool<K, T> sub;
        try {
            sub = pool(key);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        CompletableFuture<Lease<T>> inner = sub.pool.acquireAsync();
        result.whenComplete((lease, failure) -> inner.cancel(false));
        inner.whenComplete((lease, failure) -> {
            if (lease != null) {
                if (!result.complete(lease)) {
                    lease.close();
                }
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof PoolClosedException && sub.retired && !closed && !result.isDone()) {
                relay(key, result);
            } else {
                result.completeExceptionally(cause);
            }
        });
    }

    /** A sub-pool closed under a caller because its key was removed: try a fresh one, unless the whole pool closed. */
    private void retryOrThrow(SubPool<K, T> sub, PoolClosedException e) {
        if (!sub.retired || closed) {
            throw e;
        }
    }

    @Override
    public <R, X extends Exception> R withResource(K key, ResourceFunction<? super T, R, X> fn) throws X, InterruptedException {
        Check.notNull("fn", fn);
        for (;;) {
            SubPool<K, T> sub = pool(key);
            CorePool<T> p = sub.pool;
            Lease<T> lease;
            try {
                lease = p.acquire();
            } catch (PoolClosedException e) {
                retryOrThrow(sub, e);
                continue;
            }
            return p.use(lease, fn);
        }
    }

    @Override
    public <X extends Exception> void useResource(K key, ResourceConsumer<? super T, X> fn) throws X, InterruptedException {
        Check.notNull("fn", fn);
        withResource(key, r -> {
            fn.accept(r);
            return null;
        });
    }

    @Override
    public int warmUp(K key, int count) throws InterruptedException {
        Check.atLeast("count", count, 0);
        return pool(key).pool.warmUp(count);
    }

    // ---------------------------------------------------------------- views and control

    @Override
    public PoolStats stats(K key) {
        SubPool<K, T> s = pools.get(Check.notNull("key", key));
        if (s == null) {
            s = stats.draining(key);
        }
        if (s != null) {
            return s.pool.stats();
        }
        Overrides o = perKey.apply(key);
        int max = o != null && o.maxSize() != null ? o.maxSize() : defaults.maxSize;
        return new PoolStats(max, 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0, 0, 0, Duration.ZERO, Duration.ZERO, CircuitState.CLOSED);
    }

    @Override
    public PoolStats stats() {
        return stats.total(pools.values(), maxTotal);
    }

    /** Takes a sub-pool out of the live map into the draining set, atomically for stats(). */
    private boolean retire(K key, SubPool<K, T> s) {
        return stats.retire(pools, key, s);
    }

    @Override
    public Set<K> keys() {
        return Set.copyOf(pools.keySet());
    }

    @Override
    public void remove(K key) {
        SubPool<K, T> s = pools.get(Check.notNull("key", key));
        if (s == null) {
            return;
        }
        s.retired = true; // before it closes: its callers retry on a fresh sub-pool
        if (!retire(key, s)) {
            return;
        }
        log.debug("{} - draining key {}", name, key);
        runtime.execute(s.pool::closeRemoved);
    }

    @Override
    public Registration addListener(KeyedPoolListener<K, T> listener) {
        Check.notNull("listener", listener);
        lock.lock();
        try {
            listeners.add(listener);
            List<Registration> regs = registrations.computeIfAbsent(listener, x -> new ArrayList<>());
            pools.forEach((key, s) -> regs.add(s.pool.addListener(listener.forKey(key))));
        } finally {
            lock.unlock();
        }
        return () -> {
            lock.lock();
            try {
                listeners.remove(listener);
                List<Registration> regs = registrations.remove(listener);
                if (regs != null) {
                    regs.forEach(Registration::close);
                }
            } finally {
                lock.unlock();
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean shutdown(Duration grace) throws InterruptedException {
        Check.notNegative("grace", grace);
        closed = true;
        try {
            while (!pools.isEmpty()) { // a sub-pool opened by a racing acquire is caught by the next round
                pools.forEach(this::retire);
            }
            // every key shuts down at once, so the grace period is shared, not spent once per key
            List<CompletableFuture<Boolean>> all = new ArrayList<>();
            for (SubPool<K, T> s : stats.draining()) {
                CompletableFuture<Boolean> done = new CompletableFuture<>();
                runtime.execute(() -> {
                    try {
                        done.complete(s.pool.shutdown(grace, s.retired));
                    } catch (Throwable t) {
                        done.completeExceptionally(t);
                    }
                });
                all.add(done);
            }
            boolean clean = true;
            for (CompletableFuture<Boolean> done : all) {
                try {
                    clean &= done.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    clean = false;
                    log.warn("{} - a key's shutdown failed", name, e.getCause());
                }
            }
            return clean;
        } finally {
            CoarseClock.unwatch(rescue);
            runtime.stop();
        }
    }

    @Override
    public void close() {
        try {
            shutdown(defaults.shutdownTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "KeyedPool[" + name + ", keys=" + pools.size() + ", " + stats().brief() + "]";
    }

    // ---------------------------------------------------------------- key idle removal

    private void scheduleKeySweep() {
        long every = Math.max(CoarseClock.TICK_NANOS, Math.min(keyIdleNanos, Durations.toNanos(defaults.maintenanceInterval)));
        runtime.schedule(() -> {
            if (closed) {
                return;
            }
            try {
                sweepKeys();
            } finally {
                scheduleKeySweep();
            }
        }, every);
    }

    private void sweepKeys() {
        long now = runtime.clock.read();
        pools.forEach((key, s) -> {
            if (!s.pool.isUnused()) {
                s.emptySince = Long.MIN_VALUE;
                return;
            }
            if (s.emptySince == Long.MIN_VALUE) {
                s.emptySince = now;
            }
            // retired before the pool closes, under its lock: a caller that finds it closed retries
            if (now - s.emptySince >= keyIdleNanos && s.pool.closeIfUnused(() -> s.retired = true) && retire(key, s)) {
                log.debug("{} - key {} was empty for {}; removed", name, key, Durations.describeNanos(keyIdleNanos));
            }
        });
    }
}
