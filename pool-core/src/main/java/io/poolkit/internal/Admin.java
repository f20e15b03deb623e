package io.poolkit.internal;

import io.poolkit.DestroyReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool's runtime administration, as the API and the MXBean expose it: resize (and the SHRINK
 * mode it may start), minIdle, suspend/resume and evictIdle.
 */
final class Admin<T> {
    private static final Logger log = LoggerFactory.getLogger(Admin.class);

    private final String name;
    private final SlotTable<T> table;
    private final Gate gate;
    private final Creator<T> creator;
    private final Destroyer<T> destroyer;
    private final Dispatcher<T> dispatcher;
    private final Maintenance<T> maintenance;

    Admin(PoolContext<T> ctx, Creator<T> creator, Destroyer<T> destroyer, Dispatcher<T> dispatcher, Maintenance<T> maintenance) {
        this.name = ctx.name();
        this.table = ctx.table();
        this.gate = ctx.gate();
        this.creator = creator;
        this.destroyer = destroyer;
        this.dispatcher = dispatcher;
        this.maintenance = maintenance;
    }

    void resize(int newMaxSize) {
        Check.atLeast("maxSize", newMaxSize, 1);
        gate.lock.lock();
        try {
            if (newMaxSize < creator.minIdle) {
                throw new IllegalArgumentException("maxSize (" + newMaxSize + ") must not be below minIdle (" + creator.minIdle + ")");
            }
            table.maxSize = newMaxSize;
            boolean over = table.live() > newMaxSize;
            gate.bits = over ? gate.bits | Gate.SHRINK : gate.bits & ~Gate.SHRINK;
        } finally {
            gate.lock.unlock();
        }
        log.info("{} - resized to maxSize {}", name, newMaxSize);
        dispatcher.dispatch();
        creator.demand();
    }

    /** Lifts SHRINK once the size is back within maxSize (a slot was freed, or a reserve backed out). */
    static void shrinkDoneIfFits(Gate gate, SlotTable<?> table) {
        if ((gate.bits & Gate.SHRINK) != 0 && table.live() <= table.maxSize) {
            gate.setGateBit(Gate.SHRINK, false);
        }
    }

    void setMinIdle(int newMinIdle) {
        Check.atLeast("minIdle", newMinIdle, 0);
        gate.lock.lock();
        try {
            if (newMinIdle > table.maxSize) {
                throw new IllegalArgumentException("minIdle (" + newMinIdle + ") must not exceed maxSize (" + table.maxSize + ")");
            }
            creator.minIdle = newMinIdle;
        } finally {
            gate.lock.unlock();
        }
        creator.demand();
        maintenance.runSoon();
    }

    void suspend(boolean on) {
        gate.setGateBit(Gate.SUSPENDED, on);
        if (on) {
            log.info("{} - suspended: acquires wait until resume()", name);
        } else {
            log.info("{} - resumed", name);
            dispatcher.dispatch();
            creator.demand();
        }
    }

    /**
     * Claims every idle resource first and destroys them after: a destroy frees its slot and starts
     * the minIdle refill, whose new resource this same call must not evict.
     */
    void evictIdle() {
        Slot<T>[] slots = table.slots;
        long[] claimed = new long[slots.length];
        for (int i = 0; i < slots.length; i++) {
            Slot<T> s = slots[i];
            int kind = s.kind();
            if (kind == Slot.IDLE) {
                claimed[i] = s.tryClaim();
            } else if (kind == Slot.LEASED || kind == Slot.CHECKING) {
                s.retire(DestroyReason.EVICTED);
            }
        }
        for (int i = 0; i < slots.length; i++) {
            if (claimed[i] != 0) {
                destroyer.destroy(slots[i], claimed[i], DestroyReason.EVICTED);
            }
        }
        creator.demand();
    }
}
