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

    private final String name;
    private final SlotTable<T> table;
    private final ReentrantLock lock;
    private final Condition changed;
    private final WaitQueue<T> queue;
    private final Dispatcher<T> dispatcher;
    private final Destroyer<T> destroyer;
    private final Creator<T> creator;
    private final Maintenance<T> maintenance;
    private final long createTimeoutNanos;
    private boolean terminated;
    private boolean clean;
    private Runnable onClosed = () -> { };

    Shutdown(PoolContext<T> ctx, WaitQueue<T> queue, Dispatcher<T> dispatcher, Destroyer<T> destroyer, Creator<T> creator,
             Maintenance<T> maintenance) {
        this.name = ctx.name();
        this.table = ctx.table();
        this.lock = ctx.gate().lock;
        this.changed = ctx.gate().changed;
        this.queue = queue;
        this.dispatcher = dispatcher;
        this.destroyer = destroyer;
        this.creator = creator;
        this.maintenance = maintenance;
        this.createTimeoutNanos = Durations.toNanos(ctx.config().createTimeout);
    }

    void onClosed(Runnable hook) {
        this.onClosed = hook;
    }

    /** Shuts the pool down; {@code quiet}: a keyed pool's removed key, closed with a DEBUG line, not INFO. */
    boolean run(Duration grace, boolean quiet) throws InterruptedException {
        if (!queue.close()) {
            return awaitTerminated();
        }
        log.debug("{} - shutting down", name);
        boolean allBack = false;
        try {
            maintenance.stop();
            dispatcher.dispatch();
            allBack = awaitQuiet(Durations.toNanos(grace), true);
            dispatcher.dispatch(); // drain what came back: a return does not always see the closed gate itself
        } finally {
            if (!allBack) {
                forceLeased();
            }
            // The shutdown always completes. An interrupted caller does not wait for the releasers
            // still running (they finish on the workers); the interrupt flag stays set.
            try {
                if (!Thread.currentThread().isInterrupted()) {
                    awaitQuiet(createTimeoutNanos, false);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                finish(allBack, quiet);
            }
        }
        return allBack;
    }

    /** Keyed pools: closes an unused sub-pool at once; see {@link WaitQueue#closeIfUnused(Runnable)}. */
    boolean closeIfUnused(Runnable beforeClose) {
        if (!queue.closeIfUnused(beforeClose)) {
            return false;
        }
        maintenance.stop();
        finish(true, true);
        return true;
    }

    /** Waits until no slot is leased ({@code leasesOnly}) or none is occupied, up to {@code nanos}. */
    private boolean awaitQuiet(long nanos, boolean leasesOnly) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(nanos, TimeUnit.DAYS.toNanos(365));
        lock.lock();
        try {
            for (;;) {
                if (leasesOnly ? noLeases() : table.occupied.get() == creator.abandonedCreates()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, CoarseClock.TICK_NANOS));
                lock.unlock();
                try {
                    dispatcher.dispatch(); // a lease returned without seeing the closed gate is drained here
                } finally {
                    lock.lock();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean noLeases() {
        for (Slot<T> s : table.slots) {
            if (s.kind() == Slot.LEASED) {
                return false;
            }
        }
        return true;
    }

    /** Destroys resources still leased at the end of the grace period; their leases become dead. */
    private void forceLeased() {
        for (Slot<T> s : table.slots) {
            long w = s.word;
            if (s.kindOf(w) == Slot.LEASED) {
                LeakInfo leak = s.leak;
                Throwable where = leak != null && leak.word() == w ? leak.acquiredAt() : null;
                if (destroyer.destroy(s, w, DestroyReason.SHUTDOWN)) {
                    log.warn("{} - a lease was not returned within the shutdown grace period; its resource is destroyed"
                            + " and the lease is dead{}", name,
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

    private void finish(boolean allBack, boolean quiet) {
        dispatcher.stopNudges();
        onClosed.run();
        lock.lock();
        try {
            terminated = true;
            clean = allBack;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (quiet) {
            log.debug("{} - closed", name);
        } else {
            log.info("{} - shut down{}", name, allBack ? "" : " (some leases were forced closed)");
        }
    }
}
