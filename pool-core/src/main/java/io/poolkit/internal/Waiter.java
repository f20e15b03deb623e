package io.poolkit.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One caller waiting for a resource: a node of the pool's FIFO queue.
 *
 * <p>{@link #result} decides every race with one CAS from {@code null}: a hand-off stores the slot
 * (the waiter now owns it), the waiter's own timeout, interrupt or cancel stores {@link #CANCELLED},
 * and shutdown stores {@link #CLOSED}. Whoever loses the CAS knows who won: a dispatcher that finds
 * the waiter gone passes the slot to the next one; a waiter that finds a slot after deciding to
 * leave gives it back.
 */
class Waiter<T> {
    static final Object CANCELLED = new Object();
    static final Object CLOSED = new Object();

    private static final VarHandle RESULT;

    static {
        try {
            RESULT = MethodHandles.lookup().findVarHandle(Waiter.class, "result", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The parked caller, or {@code null} for an asynchronous waiter. */
    final Thread thread;
    /** When the caller started waiting, on the pool clock. */
    final long since;

    volatile Object result;

    // Queue links, guarded by the pool's waiter lock.
    Waiter<T> prev;
    Waiter<T> next;
    boolean queued;
    /**
     * Holds the pool's WOKEN token: the one waiter allowed to be awake and to compete for idle
     * resources in normal mode. Written under the waiter lock; read by the waiter itself.
     */
    volatile boolean awake;

    Waiter(Thread thread, long since) {
        this.thread = thread;
        this.since = since;
    }

    /** Hands a claimed slot to this waiter; false when it already left. */
    boolean offer(Slot<T> slot) {
        if (!RESULT.compareAndSet(this, null, slot)) {
            return false;
        }
        wake(slot);
        return true;
    }

    /** Ends the wait for the pool's shutdown; false when it already ended. */
    boolean close() {
        if (!RESULT.compareAndSet(this, null, CLOSED)) {
            return false;
        }
        wake(null);
        return true;
    }

    /** The waiter leaves on its own; false when a slot (or shutdown) got there first. */
    boolean cancel() {
        return RESULT.compareAndSet(this, null, CANCELLED);
    }

    /** Wakes the caller; an asynchronous waiter overrides it to complete its future. */
    void wake(Slot<T> slot) {
        LockSupport.unpark(thread);
    }
}
