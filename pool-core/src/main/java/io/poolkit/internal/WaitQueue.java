package io.poolkit.internal;

import io.poolkit.PoolException;
import io.poolkit.PoolExhaustedException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool's FIFO queue of waiting callers: an intrusive doubly linked list under {@link #lock}, the
 * same lock that guards every write of the pool's gate (whose low bits count the waiters), so the
 * fast path can test "anyone waiting?" with one volatile read.
 */
final class WaitQueue<T> {
    final ReentrantLock lock = new ReentrantLock();
    private final CorePool<T> pool;
    private final int maxWaiters;
    /** Keyed pools: the waiters of every key, and their limit. */
    private final AtomicInteger shared;
    private final int sharedMax;
    private Waiter<T> head;
    private Waiter<T> tail;

    WaitQueue(CorePool<T> pool, int maxWaiters, AtomicInteger shared, int sharedMax) {
        this.pool = pool;
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
            int g = pool.gate;
            if ((g & CorePool.CLOSED) != 0) {
                throw pool.diagnostics.closed();
            }
            int count = g & CorePool.WAITERS;
            int room = Math.max(0, pool.maxSize - pool.live());
            boolean local = !again && count - room >= maxWaiters;
            boolean global = !again && shared != null && shared.get() - room >= sharedMax;
            if (count >= CorePool.WAITERS || local || global) {
                refused = new PoolExhaustedException(pool.name + " - too many callers waiting (maxWaiters="
                        + (local ? maxWaiters : sharedMax) + "; " + pool.stats().brief()
                        + "); shedding load: raise maxWaiters or maxSize, or slow the callers down");
            } else {
                link(w, again);
                pool.gate = g + 1;
            }
        } finally {
            lock.unlock();
        }
        if (refused != null) {
            pool.counters.rejected.increment();
            pool.listeners.rejected(refused);
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
        pool.gate = pool.gate - 1;
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

    void setGateBit(int bit, boolean on) {
        lock.lock();
        try {
            pool.gate = on ? pool.gate | bit : pool.gate & ~bit;
        } finally {
            lock.unlock();
        }
    }

    /** Sets CLOSED and ends every wait with the pool's shutdown; false when the pool was already closed. */
    boolean close() {
        Waiter<T> waiters;
        lock.lock();
        try {
            if ((pool.gate & CorePool.CLOSED) != 0) {
                return false;
            }
            pool.gate = CorePool.CLOSED | (pool.gate & ~CorePool.WAITERS);
            waiters = head;
            head = null;
            tail = null;
            for (Waiter<T> w = waiters; w != null; w = w.next) {
                w.queued = false;
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
            w.close(pool);
            w = next;
        }
        return true;
    }

    /** Keyed pools: closes the pool if nothing is in it and nobody waits, atomically with new waiters. */
    boolean closeIfUnused() {
        lock.lock();
        try {
            if ((pool.gate & (CorePool.WAITERS | CorePool.CLOSED)) != 0 || pool.occupied.get() != 0) {
                return false;
            }
            pool.retired = true;
            pool.gate = CorePool.CLOSED;
            return true;
        } finally {
            lock.unlock();
        }
    }
}
