package io.poolkit.internal;

import io.poolkit.DestroyReason;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool's shutdown (DESIGN rule 7): close the gate and end every wait, destroy idle resources,
 * wait up to the grace period for leases, force-destroy the rest (their leases become dead), then
 * wait for every destroy, all together bounded by {@code createTimeout}. A second caller waits for
 * the first one's result.
 */
final class Shutdown<T> {
    private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

    private final CorePool<T> pool;
    private final ReentrantLock lock;
    private final Condition changed;
    private boolean terminated;
    private boolean clean;
    private Runnable onClosed = () -> { };

    Shutdown(CorePool<T> pool, ReentrantLock lock) {
        this.pool = pool;
        this.lock = lock;
        this.changed = lock.newCondition();
    }

    void onClosed(Runnable hook) {
        this.onClosed = hook;
    }

    boolean run(Duration grace) throws InterruptedException {
        if (!pool.queue.close()) {
            return awaitTerminated();
        }
        log.debug("{} - shutting down", pool.name);
        boolean allBack = false;
        try {
            pool.maintenance.stop();
            pool.dispatch();
            allBack = awaitQuiet(Durations.toNanos(grace), true);
            pool.dispatch(); // drain what came back: a return does not always see the closed gate itself
        } finally {
            if (!allBack) {
                forceLeased();
            }
            // The shutdown always completes. An interrupted caller does not wait for the releasers
            // still running (they finish on the workers); the interrupt flag stays set.
            try {
                if (!Thread.currentThread().isInterrupted()) {
                    awaitQuiet(pool.createTimeoutNanos, false);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                finish(allBack);
            }
        }
        return allBack;
    }

    /** Keyed pools: closes an unused sub-pool at once. */
    boolean closeIfUnused() {
        if (!pool.queue.closeIfUnused()) {
            return false;
        }
        pool.maintenance.stop();
        finish(true);
        return true;
    }

    /** Wakes a shutdown waiting for leases or destroys; a no-op while the pool is open. */
    void signal() {
        if ((pool.bits & Gate.CLOSED) != 0) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits until no slot is leased ({@code leasesOnly}) or none is occupied, up to {@code nanos}. */
    private boolean awaitQuiet(long nanos, boolean leasesOnly) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(nanos, TimeUnit.DAYS.toNanos(365));
        lock.lock();
        try {
            for (;;) {
                if (leasesOnly ? noLeases() : pool.table.occupied.get() == pool.creator.abandonedCreates()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, CoarseClock.TICK_NANOS));
                lock.unlock();
                try {
                    pool.dispatch(); // a lease returned without seeing the closed gate is drained here
                } finally {
                    lock.lock();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean noLeases() {
        for (Slot<T> s : pool.table.slots) {
            if (s.kind() == Slot.LEASED) {
                return false;
            }
        }
        return true;
    }

    /** Destroys resources still leased at the end of the grace period; their leases become dead. */
    private void forceLeased() {
        for (Slot<T> s : pool.table.slots) {
            long w = s.word;
            if (s.kindOf(w) == Slot.LEASED) {
                LeakInfo leak = s.leak;
                Throwable where = leak != null && leak.word() == w ? leak.acquiredAt() : null;
                if (pool.destroy(s, w, DestroyReason.SHUTDOWN)) {
                    log.warn("{} - a lease was not returned within the shutdown grace period; its resource is destroyed"
                            + " and the lease is dead{}", pool.name,
                            where == null ? " (enable leakDetection to log where it was acquired)" : "", where);
                }
            }
        }
    }

    private boolean awaitTerminated() throws InterruptedException {
        lock.lock();
        try {
            while (!terminated) {
                changed.await();
            }
            return clean;
        } finally {
            lock.unlock();
        }
    }

    private void finish(boolean allBack) {
        pool.stopNudges();
        onClosed.run();
        lock.lock();
        try {
            terminated = true;
            clean = allBack;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (pool.retired) {
            log.debug("{} - closed", pool.name);
        } else {
            log.info("{} - shut down{}", pool.name, allBack ? "" : " (some leases were forced closed)");
        }
    }
}
