package io.poolkit.internal;

import io.poolkit.DestroyReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a resource after use, off the fast path: the slow return (listeners, expiry,
 * max uses, reset and validation on return, on the returning thread and bounded), and destruction
 * on a worker, after which the slot is freed and waiters, minIdle or a shrink can move on.
 */
final class Recycler<T> {
    private static final Logger log = LoggerFactory.getLogger(Recycler.class);

    private final CorePool<T> pool;

    Recycler(CorePool<T> pool) {
        this.pool = pool;
    }

    /** The slow return: listeners, retirement, reset and validation on return, then idle or destroy. */
    void release(Slot<T> s, long leased, long now, long leasedAt) {
        T r = s.resource;
        if (pool.listeners.any()) {
            pool.listeners.returned(r, pool.heldNanos(s, leased, leasedAt));
        }
        DestroyReason reason = s.retire;
        if (reason == null && now - s.bornAt >= s.lifetime) {
            reason = DestroyReason.LIFETIME;
        }
        if (reason == null && s.uses >= pool.maxUses) {
            reason = DestroyReason.MAX_USES;
        }
        if (reason == null && pool.hooks.hasResetter && !timed("reset", r, true)) {
            reason = DestroyReason.RESET_FAILED;
        }
        if (reason == null && pool.config.validateOnReturn && pool.hasValidator && !timed("validation on return", r, false)) {
            reason = DestroyReason.VALIDATION_FAILED;
        }
        if (reason != null) {
            destroy(s, leased, reason);
            return;
        }
        long idleAt = pool.clock.coarse();
        s.idleSince = idleAt;
        s.markReturned(leased);
        int g = pool.bits;
        if (g != 0) {
            pool.afterReturn(g, idleAt);
        }
    }

    /** Runs reset or validation on the returning thread; an exception, false, or an overrun fails it. */
    private boolean timed(String what, T r, boolean reset) {
        long started = pool.clock.read();
        boolean ok;
        try {
            ok = reset ? resetAndTrue(r) : pool.hooks.validate(r, Durations.ofNanos(pool.validationTimeoutNanos));
        } catch (Throwable e) { // an Error too: a failed check, never a lost slot
            log.debug("{} - {} failed; destroying the resource", pool.name, what, e);
            return false;
        }
        long took = pool.clock.read() - started;
        if (ok && took > pool.validationTimeoutNanos) {
            log.warn("{} - {} took {} (validationTimeout {}); destroying the resource and replacing it in the background",
                    pool.name, what, Durations.describeNanos(took), Durations.describeNanos(pool.validationTimeoutNanos));
            return false;
        }
        return ok;
    }

    private boolean resetAndTrue(T r) throws Exception {
        pool.hooks.reset(r);
        return true;
    }

    /**
     * Moves an owned slot to DESTROYING and destroys its resource on a worker; the slot is freed
     * when {@code destroy()} returns. False when the word was no longer {@code expected}.
     */
    boolean destroy(Slot<T> s, long expected, DestroyReason reason) {
        long dying = Slot.with(expected, Slot.DESTROYING);
        if (!s.cas(expected, dying)) {
            return false;
        }
        pool.table.destroying.incrementAndGet();
        pool.counters.destroyed(reason);
        T r = s.resource;
        log.debug("{} - destroying {} ({})", pool.name, s, reason);
        pool.listeners.destroyed(r, reason);
        pool.runtime.execute(() -> finishDestroy(s, dying, r, reason));
        return true;
    }

    private void finishDestroy(Slot<T> s, long dying, T r, DestroyReason reason) {
        try {
            pool.hooks.destroy(r);
        } catch (Exception | LinkageError e) {
            log.warn("{} - destroy of {} ({}) failed; its slot is freed anyway", pool.name, s, reason, e);
        } finally {
            s.clear();
            s.word = Slot.with(dying, Slot.EMPTY);
            // occupied falls first, so live() may under-count for a moment but never over-counts
            pool.table.occupied.decrementAndGet();
            pool.table.destroying.decrementAndGet();
            afterFree(reason == DestroyReason.EVICTED_FOR_KEY);
        }
    }

    /** Frees a slot whose create failed or was abandoned (never DESTROYING). */
    void freeCreating(Slot<T> s) {
        s.clear();
        s.word = Slot.with(s.word, Slot.EMPTY);
        pool.table.occupied.decrementAndGet();
        afterFree(false);
    }

    /** A slot went back to EMPTY: release its capacity and let waiters, minIdle or a shrink move on. */
    private void afterFree(boolean evicted) {
        pool.capacity.release(evicted);
        pool.shrinkDoneIfFits();
        pool.shutdown.signal();
        pool.creator.demand();
    }
}
