package io.poolkit.internal;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool's slots and how a thread finds one: the table (grown as the pool grows), the hint table
 * that gives a thread back what it used last, the idle claim of the fast path, and the counts of
 * occupied and dying slots. It knows no hooks, listeners, waiters or gate: what a slot holds and
 * when it may be claimed is the pool's business (HikariCP's ConcurrentBag plays this part there).
 *
 * <p>Thread-safe. {@link #claimIdle()} is one CAS on an idle slot ({@link Slot#tryClaim()}); a
 * claimed slot belongs to the claiming thread until it returns it or moves its word on.
 */
final class SlotTable<T> {
    /** Slots are made as the pool grows, so a huge maxSize costs nothing until it is used. */
    private static final int INITIAL_SLOTS = 16;
    private static final int HINT_STRIDE = 16;

    volatile Slot<T>[] slots;
    /**
     * LIFO's per-thread memory without a ThreadLocal: a small table, indexed by a hash of the
     * thread, of the slot each entry's thread used last (named when a lease it claimed by a scan
     * comes back, see {@link Slot#remember()}). Bounded whatever the number of threads
     * (a million virtual threads share the entries; a collision only makes a hint less useful).
     * An entry holds the {@link Slot} itself (slots are never replaced, so this is safe, and a hit
     * reads neither the slot table nor its length); one cache line per entry so threads do not
     * share lines.
     */
    private final Slot<?>[] hints;
    private final int hintShift;
    private int cursor;
    private final ReentrantLock growth = new ReentrantLock();

    /**
     * Non-EMPTY slots: the size bound. A create raises it (below maxSize) before it claims an EMPTY
     * slot, and it falls only once the slot is EMPTY again, so a table of this length always has an
     * EMPTY slot for a create that raised it.
     */
    final AtomicInteger occupied = new AtomicInteger();
    /** Slots in DESTROYING; {@link #live()} leaves them out. */
    final AtomicInteger destroying = new AtomicInteger();
    /** The bound on {@link #live()}: the pool's maxSize (written by resize under the gate's lock). */
    volatile int maxSize;

    SlotTable(int maxSize, boolean fifo) {
        this.maxSize = maxSize;
        int entries = Integer.highestOneBit(Math.min(Math.max(2, maxSize), 16) * 2 - 1) << 1; // 4 to 32
        this.hints = fifo ? null : new Slot<?>[entries * HINT_STRIDE];
        this.hintShift = Integer.numberOfLeadingZeros(entries) + 1;
        this.slots = newSlots(new Slot<?>[0], Math.min(maxSize, INITIAL_SLOTS), hints);
    }

    /**
     * Fibonacci hashing of the thread's id: a field load and a multiply (an identity hash code reads
     * and tests the object header), and the top bits of consecutive ids — a thread pool's workers —
     * are spread as evenly as they can be: up to 21 consecutive ids never share one of 32 entries,
     * where random identity hashes made 8 threads share one 61% of the time.
     */
    @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+; getId() is the same number
    private static int threadHash() {
        return (int) Thread.currentThread().getId() * 0x9E3779B9;
    }

    /**
     * Claims an idle slot: LIFO, the slot the caller's hint names, else a scan from the caller's
     * home index (so threads rarely collide); FIFO, a scan from a moving cursor. Null when none is
     * idle. The claimed slot's {@link Slot#lent} holds the claim's word; when a scan found it, its
     * return makes it the claiming thread's hint ({@link Slot#remember()}).
     */
    @SuppressWarnings("unchecked")
    Slot<T> claimIdle() {
        Slot<?>[] hints = this.hints; // null: FIFO
        int h = 0;
        int entry = -1;
        if (hints != null) {
            h = threadHash();
            entry = (h >>> hintShift) * HINT_STRIDE;
            Slot<T> hinted = (Slot<T>) hints[entry];
            if (hinted != null && hinted.claimForLease()) {
                return hinted; // the slot this thread (or one sharing its entry) used last
            }
        }
        Slot<T>[] table = slots;
        int n = table.length;
        int i;
        if (hints != null) {
            i = (int) (((h & 0xFFFF_FFFFL) * n) >>> 32);
        } else {
            int c = cursor;
            cursor = c + 1;
            i = Integer.remainderUnsigned(c, n);
        }
        for (int k = 0; k < n; k++) {
            Slot<T> s = table[i];
            if (s.claimForLease()) {
                s.hintAt = entry; // its return makes it this thread's hint (FIFO: -1, none)
                return s;
            }
            if (++i == n) {
                i = 0;
            }
        }
        return null;
    }

    /**
     * Moves an EMPTY slot to CREATING for a create that has raised {@link #occupied}, growing the
     * table (up to {@link #maxSize}, or further if the size needs it) when every slot is taken.
     */
    Slot<T> claimEmpty() {
        // occupied >= the number of non-EMPTY slots: a table at least that long has an EMPTY slot for us
        for (;;) {
            Slot<T>[] table = slots;
            for (Slot<T> s : table) {
                long w = s.word;
                if (Slot.state(w) == Slot.EMPTY && s.cas(w, Slot.with(w, Slot.CREATING))) {
                    return s;
                }
            }
            int needed = occupied.get();
            if (table.length < needed) {
                grow(needed);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** Makes the table at least {@code needed} long (doubling), for a create that found no EMPTY slot. */
    private void grow(int needed) {
        growth.lock();
        try {
            Slot<T>[] table = slots;
            if (table.length < needed) {
                int length = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, Math.min(2L * table.length, Math.max(maxSize, needed))));
                slots = newSlots(table, length, hints);
            }
        } finally {
            growth.unlock();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> Slot<T>[] newSlots(Slot<?>[] old, int length, Slot<?>[] hints) {
        Slot<T>[] grown = (Slot<T>[]) Arrays.copyOf(old, Math.max(length, old.length), Slot[].class);
        for (int i = old.length; i < grown.length; i++) {
            grown[i] = new Slot<>(i, hints);
        }
        return grown;
    }

    /** Occupied slots not being destroyed: the pool's size as maxSize sees it. */
    int live() {
        return occupied.get() - destroying.get();
    }

    /** Whether any slot is idle now (a read-only scan, for the rare paths that hand on the token). */
    boolean hasIdle() {
        for (Slot<T> s : slots) {
            long w = s.word;
            if (Slot.state(w) == Slot.LIVE && s.returned == w) {
                return true;
            }
        }
        return false;
    }

    /** Idle slots now, those under a keepalive check included. */
    int idleCount() {
        int n = 0;
        for (Slot<T> s : slots) {
            int kind = s.kind();
            if (kind == Slot.IDLE || kind == Slot.CHECKING) {
                n++;
            }
        }
        return n;
    }

    /** Slots of {@code kind} now (see {@link Slot#kind()}). */
    int count(int kind) {
        int n = 0;
        for (Slot<T> s : slots) {
            if (s.kind() == kind) {
                n++;
            }
        }
        return n;
    }

    /** The idle slot that has been idle longest, or null (a read-only scan; the caller still has to claim it). */
    Slot<T> oldestIdle() {
        Slot<T> oldest = null;
        for (Slot<T> s : slots) {
            if (s.kind() == Slot.IDLE && (oldest == null || s.idleSince - oldest.idleSince < 0)) {
                oldest = s;
            }
        }
        return oldest;
    }
}
