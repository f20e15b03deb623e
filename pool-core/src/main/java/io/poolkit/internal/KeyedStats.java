package io.poolkit.internal;

import io.poolkit.CircuitState;
import io.poolkit.DestroyReason;
import io.poolkit.PoolStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A keyed pool's totals: the live keys' snapshots, the sub-pools of removed keys still draining,
 * and the folded final counts of those that finished, summed so the totals never go backwards and
 * never count a sub-pool twice or not at all. A sub-pool moves from the live map to the draining
 * set and on to the folded totals only under {@link #lock}, and {@link #total} reads all three under it.
 */
final class KeyedStats<K, T> {
    private final ReentrantLock lock = new ReentrantLock();
    /** Sub-pools of removed keys still draining; their counts stay in the totals. */
    private final Set<KeyedPoolImpl.SubPool<K, T>> draining = ConcurrentHashMap.newKeySet();
    /** The final totals of removed keys. */
    private volatile PoolStats folded = sum(List.of(), 0);

    /** The keyed totals; {@code maxSize} is {@code maxTotal}, or the sum of the keys' when there is none. */
    PoolStats total(Collection<KeyedPoolImpl.SubPool<K, T>> live, int maxTotal) {
        List<PoolStats> parts = new ArrayList<>();
        int max = 0;
        lock.lock();
        try {
            foldFinished();
            for (KeyedPoolImpl.SubPool<K, T> s : live) {
                PoolStats st = s.pool.stats();
                max += st.maxSize();
                parts.add(st);
            }
            for (KeyedPoolImpl.SubPool<K, T> s : draining) {
                parts.add(s.pool.stats());
            }
            parts.add(folded);
        } finally {
            lock.unlock();
        }
        return sum(parts, maxTotal == Integer.MAX_VALUE ? max : maxTotal);
    }

    /** Takes a sub-pool out of the live map into the draining set, atomically for {@link #total}; false if it was not there. */
    boolean retire(Map<K, KeyedPoolImpl.SubPool<K, T>> live, K key, KeyedPoolImpl.SubPool<K, T> p) {
        lock.lock();
        try {
            if (!live.remove(key, p)) {
                return false;
            }
            draining.add(p);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The draining sub-pool of {@code key}, or null. */
    KeyedPoolImpl.SubPool<K, T> draining(Object key) {
        for (KeyedPoolImpl.SubPool<K, T> d : draining) {
            if (key.equals(d.key)) {
                return d;
            }
        }
        return null;
    }

    /** The sub-pools still draining, now. */
    List<KeyedPoolImpl.SubPool<K, T>> draining() {
        return List.copyOf(draining);
    }

    /**
     * Under {@link #lock}: moves removed sub-pools that are closed and empty (so their counts can no
     * longer change) into {@link #folded}.
     */
    private void foldFinished() {
        for (Iterator<KeyedPoolImpl.SubPool<K, T>> it = draining.iterator(); it.hasNext(); ) {
            CorePool<T> p = it.next().pool;
            if ((p.bits & Gate.CLOSED) != 0 && p.table.occupied.get() == 0) {
                folded = sum(List.of(folded, p.stats()), 0);
                it.remove();
            }
        }
    }

    /** Adds up snapshots: counts and totals summed, mean wait weighted by leases, the worst circuit state. */
    static PoolStats sum(List<PoolStats> parts, int maxSize) {
        int size = 0;
        int idle = 0;
        int leased = 0;
        int creating = 0;
        int destroying = 0;
        int waiting = 0;
        long created = 0;
        long destroyed = 0;
        long acquired = 0;
        long timeouts = 0;
        long rejected = 0;
        long failures = 0;
        long leaks = 0;
        long waitNanos = 0;
        long maxWait = 0;
        CircuitState circuit = CircuitState.CLOSED;
        Map<DestroyReason, Long> byReason = new EnumMap<>(DestroyReason.class);
        for (PoolStats s : parts) {
            size += s.size();
            idle += s.idle();
            leased += s.leased();
            creating += s.creating();
            destroying += s.destroying();
            waiting += s.waiting();
            created += s.created();
            destroyed += s.destroyed();
            acquired += s.acquired();
            timeouts += s.timeouts();
            rejected += s.rejected();
            failures += s.createFailures();
            leaks += s.leaksSuspected();
            waitNanos += s.meanWait().toNanos() * s.acquired();
            maxWait = Math.max(maxWait, s.maxWait().toNanos());
            s.destroyedByReason().forEach((r, n) -> byReason.merge(r, n, Long::sum));
            if (s.circuitState() == CircuitState.OPEN || (s.circuitState() == CircuitState.HALF_OPEN && circuit == CircuitState.CLOSED)) {
                circuit = s.circuitState();
            }
        }
        return new PoolStats(maxSize, size, idle, leased, creating, destroying, waiting, created, destroyed, byReason,
                acquired, timeouts, rejected, failures, leaks, Duration.ofNanos(acquired == 0 ? 0 : waitNanos / acquired),
                Duration.ofNanos(maxWait), circuit);
    }
}
