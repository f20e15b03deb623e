package io.poolkit.internal;

import io.poolkit.PoolException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool's FIFO queue of waiting callers: an intrusive doubly linked list under the gate's lock ({@link Gate#lock}), the
 * same lock that guards every write of the pool's gate (whose low bits count the waiters), so the
 * fast path can test "anyone waiting?" with one volatile read.
 *
 * <p>It also keeps the two gate bits of bounded fairness (DESIGN rule 5, see {@link CorePool}):
 * {@link Gate#HANDOFF}, on while the oldest waiter has waited {@code fairness} (or is
 * asynchronous, or fairness is zero), recomputed whenever the head changes; and
 * {@link Gate#WOKEN}, the token of the one synchronous waiter allowed to be awake and competing
 * for idle resources. Every way out of the queue passes through {@link #remove(Waiter)}, which drops
 * the token, so a waiter that leaves can never keep it.
 */
final class WaitQueue<T> {
    private final ReentrantLock lock;
    private final Gate gate;
    private final SlotTable<T> table;
    private final Clock clock;
    private final Diagnostics diagnostics;
    private final int maxWaiters;
    /** Keyed pools: the waiters of every key, and their limit. */
    private final AtomicInteger shared;
    private final int sharedMax;
    private final long fairnessNanos;
    private Waiter<T> head;
    private Waiter<T> tail;
    /**
     * When the head started waiting, or {@link #NO_HEAD}: read without the lock by a return that
     * checks whether the oldest waiter is past fairness (from the coarse clock, no clock call).
     */
    volatile long headSince = NO_HEAD;
    static final long NO_HEAD = Long.MIN_VALUE;

    WaitQueue(PoolContext<T> ctx, Diagnostics diagnostics, long fairnessNanos, int maxWaiters, AtomicInteger shared, int sharedMax) {
        this.gate = ctx.gate();
        this.lock = gate.lock;
        this.table = ctx.table();
        this.clock = ctx.clock();
        this.diagnostics = diagnostics;
        this.fairnessNanos = fairnessNanos;
        this.maxWaiters = maxWaiters;
        this.shared = shared;
        this.sharedMax = sharedMax;
    }

    /**
     * Queues a waiter at the tail, or, with {@code again}, at the head without the maxWaiters check:
     * a caller already admitted whose handed-over resource failed its check keeps its place.
     * Callers a create can serve (the pool has room below maxSize) do not count against maxWaiters.
     */
    void enqueue(Waiter<T> w, boolean again) {
        PoolException refused = null;
        lock.lock();
        try {
            int g = gate.bits;
            if ((g & Gate.CLOSED) != 0) {
                throw diagnostics.closed();
            }
            int count = g & Gate.WAITERS;
            int room = Math.max(0, table.maxSize - table.live());
            boolean local = !again && count - room >= maxWaiters;
            boolean global = !again && shared != null && shared.get() - room >= sharedMax;
            if (count >= Gate.WAITERS || local || global) {
                refused = diagnostics.tooManyWaiters(local ? maxWaiters : sharedMax);
            } else {
                link(w, again);
                g = g + 1;
                if ((g & Gate.WOKEN) == 0 && w.thread != null && fairnessNanos != 0) {
                    w.awake = true; // a new arrival is running: it takes the token if nobody holds it
                    g |= Gate.WOKEN;
                }
                gate.bits = withHandOff(g);
            }
        } finally {
            lock.unlock();
        }
        if (refused != null) {
            diagnostics.rejected(refused);
            throw refused;
        }
    }

    private void link(Waiter<T> w, boolean first) {
        if (first && head != null) {
            w.next = head;
            head.prev = w;
            head = w;
        } else {
            w.prev = tail;
            if (tail == null) {
                head = w;
            } else {
                tail.next = w;
            }
            tail = w;
        }
        w.queued = true;
        if (shared != null) {
            shared.incrementAndGet();
        }
    }

    void unlink(Waiter<T> w) {
        lock.lock();
        try {
            remove(w);
        } finally {
            lock.unlock();
        }
    }

    private void remove(Waiter<T> w) {
        if (!w.queued) {
            return;
        }
        if (w.prev == null) {
            head = w.next;
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            tail = w.prev;
        } else {
            w.next.prev = w.prev;
        }
        w.prev = null;
        w.next = null;
        w.queued = false;
        if (shared != null) {
            shared.decrementAndGet();
        }
        int g = gate.bits - 1;
        if (w.awake) {
            w.awake = false;
            g &= ~Gate.WOKEN;
        }
        gate.bits = withHandOff(g);
    }

    /**
     * The gate {@code g} with HANDOFF set as the queue now calls for: on while the head is
     * asynchronous (it cannot compete), fairness is zero, or the head has waited {@code fairness};
     * off when the queue is empty or the head is younger than that. Also publishes the head's age.
     * Runs under the lock whenever the head may have changed.
     */
    private int withHandOff(int g) {
        Waiter<T> h = head;
        if (h == null) {
            headSince = NO_HEAD;
            return g & ~(Gate.HANDOFF | Gate.WOKEN);
        }
        headSince = h.since;
        boolean on = fairnessNanos == 0 || h.thread == null
                || (fairnessNanos != Durations.NEVER && clock.read() - h.since >= fairnessNanos);
        return on ? g | Gate.HANDOFF : g & ~Gate.HANDOFF;
    }

    /**
     * Enters hand-off mode if a waiter that started waiting at {@code since} has waited
     * {@code fairness} by {@code now} (then the oldest has too); true when the mode is on (the caller
     * then dispatches). Called by a waiter at its threshold, by a return that saw the head's age on
     * the coarse clock, and by the coarse clock's nudge.
     */
    boolean startHandOff(long since, long now) {
        if (since == NO_HEAD || fairnessNanos == Durations.NEVER || now - since < fairnessNanos) {
            return false;
        }
        lock.lock();
        try {
            int g = gate.bits;
            if ((g & Gate.HANDOFF) != 0) {
                return true;
            }
            if (head == null || (g & Gate.CLOSED) != 0) {
                return false;
            }
            gate.bits = g | Gate.HANDOFF;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Normal mode, a resource went idle and no waiter is awake: gives the token to the oldest waiter
     * and unparks it, to compete with running callers (it keeps its place at the head).
     */
    void wakeOldest() {
        Thread t = null;
        lock.lock();
        try {
            int g = gate.bits;
            Waiter<T> h = head;
            if ((g & (Gate.WOKEN | Gate.HANDOFF | Gate.CLOSED)) == 0 && h != null && h.thread != null) {
                h.awake = true;
                gate.bits = g | Gate.WOKEN;
                t = h.thread;
            }
        } finally {
            lock.unlock();
        }
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** The awake waiter is about to park: it gives the token back, so the next return wakes someone. */
    void dropToken(Waiter<T> w) {
        lock.lock();
        try {
            if (w.awake) {
                w.awake = false;
                gate.bits = gate.bits & ~Gate.WOKEN;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes the oldest waiter out of the queue, or returns null. */
    Waiter<T> poll() {
        lock.lock();
        try {
            Waiter<T> w = head;
            if (w != null) {
                remove(w);
            }
            return w;
        } finally {
            lock.unlock();
        }
    }

    /** When the oldest waiter started waiting, or {@code Long.MAX_VALUE}: the keyed pool's order across keys. */
    long oldestSince() {
        lock.lock();
        try {
            return head == null ? Long.MAX_VALUE : head.since;
        } finally {
            lock.unlock();
        }
    }

    /** Sets CLOSED and ends every wait with the pool's shutdown; false when the pool was already closed. */
    boolean close() {
        Waiter<T> waiters;
        lock.lock();
        try {
            if ((gate.bits & Gate.CLOSED) != 0) {
                return false;
            }
            gate.bits = Gate.CLOSED | (gate.bits & ~(Gate.WAITERS | Gate.WOKEN | Gate.HANDOFF));
            waiters = head;
            head = null;
            tail = null;
            headSince = NO_HEAD;
            for (Waiter<T> w = waiters; w != null; w = w.next) {
                w.queued = false;
                w.awake = false;
                if (shared != null) {
                    shared.decrementAndGet();
                }
            }
        } finally {
            lock.unlock();
        }
        for (Waiter<T> w = waiters; w != null; ) {
            Waiter<T> next = w.next;
            w.prev = null;
            w.next = null;
            w.close();
            w = next;
        }
        return true;
    }

    /**
     * Keyed pools: closes the pool if nothing is in it and nobody waits, atomically with new waiters;
     * {@code beforeClose} runs under the lock first (a caller that then finds the pool closed sees what it did).
     */
    boolean closeIfUnused(Runnable beforeClose) {
        lock.lock();
        try {
            if ((gate.bits & (Gate.WAITERS | Gate.CLOSED)) != 0 || table.occupied.get() != 0) {
                return false;
            }
            beforeClose.run();
            gate.bits = Gate.CLOSED;
            return true;
        } finally {
            lock.unlock();
        }
    }
}
