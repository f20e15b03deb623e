package io.poolkit.internal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool's gate: the one int every acquire and return reads, and the lock that guards every write
 * of it. Its low bits count the waiters ({@link #WAITERS}); its high bits are the modes that change
 * how the pool hands out resources. Zero means "nothing to do": no waiter, no mode, so a return
 * that reads zero is done.
 *
 * <p>{@link CorePool} extends this class so that its fast path reads the gate from its own object
 * (no extra load); its helpers that only read or flip bits are given the pool as a {@code Gate}.
 */
abstract class Gate {
    /** The waiter count's mask: the low bits of the gate. */
    static final int WAITERS = Check.MAX_WAITERS;
    /** A lowered maxSize is draining: idle resources above it are destroyed. */
    static final int SHRINK = 1 << 24;
    static final int SUSPENDED = 1 << 25;
    static final int CLOSED = 1 << 26;
    /** Keyed pools only: another key is starved under maxTotal; give up idle resources for it ({@link GlobalCap}). */
    static final int PEER_STARVED = 1 << 27;
    /** Rule 5's hand-off mode: every idle resource goes to the oldest waiter; running callers queue. */
    static final int HANDOFF = 1 << 28;
    /** Rule 5's token: one waiter is awake and competing for idle resources (see {@link Waiter#awake}). */
    static final int WOKEN = 1 << 29;
    /** The gate bits that keep callers off the fast path; waiters alone do not (normal mode). */
    static final int BARRIER = SHRINK | SUSPENDED | CLOSED | PEER_STARVED | HANDOFF;

    /** Read anywhere; written only under {@link #lock}. */
    volatile int bits;
    /** Guards every write of the gate, and the wait queue ({@link WaitQueue}) whose waiters it counts. */
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a closing pool's leases or slots may have changed; its shutdown waits on it ({@link Shutdown}). */
    final Condition changed = lock.newCondition();

    /** Sets or clears {@code bit}. */
    final void setGateBit(int bit, boolean on) {
        lock.lock();
        try {
            bits = on ? bits | bit : bits & ~bit;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a shutdown waiting for leases or destroys; a no-op while the pool is open. */
    final void signalIfClosed() {
        if ((bits & CLOSED) != 0) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Whether the pool is closed (or closing). */
    final boolean isClosed() {
        return (bits & CLOSED) != 0;
    }
}
