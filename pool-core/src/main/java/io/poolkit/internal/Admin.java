package io.poolkit.internal;

import io.poolkit.DestroyReason;
import io.poolkit.PoolStats;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool's runtime administration, as the API and the MXBean expose it: resize, minIdle,
 * suspend/resume, evictIdle, and the stats snapshot (a scan of the slot table plus the slow-path
 * counters, so polling it costs nothing on the fast path).
 */
final class Admin<T> {
    private static final Logger log = LoggerFactory.getLogger(Admin.class);

    private final CorePool<T> pool;

    Admin(CorePool<T> pool) {
        this.pool = pool;
    }

    void resize(int newMaxSize) {
        Check.atLeast("maxSize", newMaxSize, 1);
        pool.lock.lock();
        try {
            if (newMaxSize < pool.minIdle) {
                throw new IllegalArgumentException("maxSize (" + newMaxSize + ") must not be below minIdle (" + pool.minIdle + ")");
            }
            pool.maxSize = newMaxSize;
            boolean over = pool.table.live() > newMaxSize;
            pool.bits = over ? pool.bits | Gate.SHRINK : pool.bits & ~Gate.SHRINK;
        } finally {
            pool.lock.unlock();
        }
        log.info("{} - resized to maxSize {}", pool.name, newMaxSize);
        pool.dispatch();
        pool.creator.demand();
    }

    void setMinIdle(int newMinIdle) {
        Check.atLeast("minIdle", newMinIdle, 0);
        pool.lock.lock();
        try {
            if (newMinIdle > pool.maxSize) {
                throw new IllegalArgumentException("minIdle (" + newMinIdle + ") must not exceed maxSize (" + pool.maxSize + ")");
            }
            pool.minIdle = newMinIdle;
        } finally {
            pool.lock.unlock();
        }
        pool.creator.demand();
        pool.maintenance.runSoon();
    }

    void suspend(boolean on) {
        pool.setGateBit(Gate.SUSPENDED, on);
        if (on) {
            log.info("{} - suspended: acquires wait until resume()", pool.name);
        } else {
            log.info("{} - resumed", pool.name);
            pool.dispatch();
            pool.creator.demand();
        }
    }

    /**
     * Claims every idle resource first and destroys them after: a destroy frees its slot and starts
     * the minIdle refill, whose new resource this same call must not evict.
     */
    void evictIdle() {
        Slot<T>[] table = pool.table.slots;
        long[] claimed = new long[table.length];
        for (int i = 0; i < table.length; i++) {
            Slot<T> s = table[i];
            int kind = s.kind();
            if (kind == Slot.IDLE) {
                claimed[i] = s.tryClaim();
            } else if (kind == Slot.LEASED || kind == Slot.CHECKING) {
                s.retire = DestroyReason.EVICTED;
            }
        }
        for (int i = 0; i < table.length; i++) {
            if (claimed[i] != 0) {
                pool.destroy(table[i], claimed[i], DestroyReason.EVICTED);
            }
        }
        pool.creator.demand();
    }

    PoolStats stats() {
        int idle = 0;
        int leased = 0;
        int creating = 0;
        int dying = 0;
        long acquired = 0;
        for (Slot<T> s : pool.table.slots) {
            switch (s.kind()) {
                case Slot.IDLE, Slot.CHECKING -> idle++;
                case Slot.LEASED -> leased++;
                case Slot.CREATING -> creating++;
                case Slot.DESTROYING -> dying++;
                default -> { }
            }
            acquired += s.leases;
        }
        int waiting = pool.bits & Gate.WAITERS;
        long waitTotal = pool.counters.waitNanos.sum();
        return new PoolStats(pool.maxSize, idle + leased + creating + dying, idle, leased, creating, dying, waiting,
                pool.counters.created.sum(), pool.counters.destroyedTotal(), pool.counters.destroyedByReason(), acquired,
                pool.counters.timeouts.sum(), pool.counters.rejected.sum(), pool.counters.createFailures.sum(),
                pool.counters.leaksSuspected.sum(), Duration.ofNanos(acquired == 0 ? 0 : waitTotal / acquired),
                Duration.ofNanos(pool.counters.maxWaitNanos.get()), pool.circuit.state());
    }
}
