package io.poolkit.internal;

import io.poolkit.DestroyReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One place in a pool's slot table, holding at most one resource at a time.
 *
 * <p>{@link #word} packs a stamp and a state: {@code stamp << 3 | state}. The stamp grows by one at
 * every claim (IDLE to LEASED), so a lease is identified by the exact word it was issued with: a
 * second close, or a close after shutdown took the slot, finds another word and does nothing.
 *
 * <p>Ownership: the thread that moved the word into CREATING, LEASED or DESTROYING owns the slot's
 * plain fields until it moves the word on; the volatile write (or CAS) of the word publishes them.
 */
final class Slot<T> {
    static final int EMPTY = 0;
    static final int CREATING = 1;
    static final int IDLE = 2;
    static final int LEASED = 3;
    static final int DESTROYING = 4;
    /** Claimed by background keepalive validation; counted as idle. */
    static final int CHECKING = 5;

    static final long STATE_MASK = 7;
    static final long STAMP_ONE = 8;

    private static final VarHandle WORD;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(Slot.class, "word", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int index;
    volatile long word;

    T resource;
    /** Coarse time the resource was created, and its jittered lifetime in nanos. */
    long bornAt;
    long lifetime;
    /** Coarse time it last went idle, or was last validated by keepalive. */
    long idleSince;
    long lastChecked;
    /** Leases of the current resource, and of every resource this slot ever held (summed by stats). */
    long uses;
    long leases;
    /** Precise time of the current lease, kept only while listeners are registered or it waited. */
    long leasedAtPrecise;
    /** The current lease's leak-tracking record, kept only while leak detection is on. */
    volatile LeakInfo leak;
    /** Set when the resource must go at its next return (evicted while leased). */
    volatile DestroyReason retire;

    Slot(int index) {
        this.index = index;
    }

    static int state(long word) {
        return (int) (word & STATE_MASK);
    }

    static long with(long word, int state) {
        return (word & ~STATE_MASK) | state;
    }

    /** The word of a fresh claim: next stamp, LEASED. */
    static long claimed(long word) {
        return ((word & ~STATE_MASK) + STAMP_ONE) | LEASED;
    }

    boolean cas(long expected, long next) {
        return WORD.compareAndSet(this, expected, next);
    }

    /** Claims this slot if it is idle: the one atomic step of the fast path. */
    long tryClaim() {
        long w = word;
        if (state(w) == IDLE) {
            long c = claimed(w);
            if (WORD.compareAndSet(this, w, c)) {
                return c;
            }
        }
        return 0;
    }

    /** Installs a freshly created resource; the caller owns the slot in CREATING. */
    void install(T created, long now, long jitteredLifetime) {
        resource = created;
        bornAt = now;
        lifetime = jitteredLifetime;
        idleSince = now;
        lastChecked = now;
        uses = 0;
        retire = null;
        leak = null;
    }

    /** Forgets the resource before the slot goes back to EMPTY. */
    void clear() {
        resource = null;
        leak = null;
        retire = null;
    }

    @Override
    public String toString() {
        return "slot " + index;
    }
}
