package io.poolkit.internal;

import io.poolkit.DestroyReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Destroys resources on a worker (callers never wait for a destroy, DESIGN rule 2) and frees their
 * slots: a slot goes back to EMPTY only once {@code destroy()} has returned, and then its unit of
 * capacity is released, a shrink may end, a shutdown is woken and creates may start again.
 */
final class Destroyer<T> {
    private static final Logger log = LoggerFactory.getLogger(Destroyer.class);

    private final String name;
    private final Hooks<T> hooks;
    private final PoolRuntime runtime;
    private final Listeners<T> listeners;
    private final Counters counters;
    private final SlotTable<T> table;
    private final Gate gate;
    private final Capacity capacity;
    /** Demand for creates (the creator is built after this): a freed slot may serve a waiter or minIdle. */
    private final Runnable demand;

    Destroyer(PoolContext<T> ctx, Capacity capacity, Runnable demand) {
        this.name = ctx.name();
        this.hooks = ctx.hooks();
        this.runtime = ctx.runtime();
        this.listeners = ctx.listeners();
        this.counters = ctx.counters();
        this.table = ctx.table();
        this.gate = ctx.gate();
        this.capacity = capacity;
        this.demand = demand;
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
        table.destroying.incrementAndGet();
        counters.destroyed(reason);
        T r = s.resource;
        log.debug("{} - destroying {} ({})", name, s, reason);
        listeners.destroyed(r, reason);
        runtime.execute(() -> finishDestroy(s, dying, r, reason));
        return true;
    }

    /**
     * Destroys a slot this thread just claimed with {@link SlotTable#claimIdle()}, unless shutdown
     * forced it away since (its word is no longer LIVE: shutdown destroys it, and must be the only one to).
     */
    boolean destroyClaimed(Slot<T> s, DestroyReason reason) {
        long w = s.word;
        return Slot.state(w) == Slot.LIVE && destroy(s, w, reason);
    }

    private void finishDestroy(Slot<T> s, long dying, T r, DestroyReason reason) {
        try {
            hooks.destroy(r);
        } catch (Exception | LinkageError e) {
            log.warn("{} - destroy of {} ({}) failed; its slot is freed anyway", name, s, reason, e);
        } finally {
            s.clear();
            s.word = Slot.with(dying, Slot.EMPTY);
            // occupied falls first, so live() may under-count for a moment but never over-counts
            table.occupied.decrementAndGet();
            table.destroying.decrementAndGet();
            afterFree(reason == DestroyReason.EVICTED_FOR_KEY);
        }
    }

    /** Frees a slot whose create failed or was abandoned (never DESTROYING). */
    void freeCreating(Slot<T> s) {
        s.clear();
        s.word = Slot.with(s.word, Slot.EMPTY);
        table.occupied.decrementAndGet();
        afterFree(false);
    }

    /** A slot went back to EMPTY: release its capacity and let waiters, minIdle or a shrink move on. */
    private void afterFree(boolean evicted) {
        capacity.release(evicted);
        Admin.shrinkDoneIfFits(gate, table);
        gate.signalIfClosed();
        demand.run();
    }
}
