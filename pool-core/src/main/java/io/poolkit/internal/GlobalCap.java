package io.poolkit.internal;

import io.poolkit.DestroyReason;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A keyed pool's {@code maxTotal}: the global limit (a unit per occupied slot across keys), and
 * the protocol that keeps a key from starving under it. When a key's waiter needs a create and no
 * unit is left, the key is recorded as starved and the oldest idle resource of another key is
 * destroyed for it ({@link DestroyReason#EVICTED_FOR_KEY}); when there is none, every key gets the
 * {@link Gate#PEER_STARVED} gate bit, so the next resource seen going idle is evicted instead.
 * Every freed unit goes to the starved key whose oldest waiter came first.
 *
 * <p>Invariants: a key with a waiter that could not reserve a unit is in {@code starved} until a unit is handed to it, its waiters
 * leave, or it closes; while {@code starved} is not empty, every key carries PEER_STARVED, so a
 * resource going idle anywhere is offered up (see {@link Dispatcher#dispatch()}); and
 * {@code pendingEvictions} counts exactly the evictions for starved keys whose destroy has not
 * finished. Races left by unfenced returns are closed by a second look after the flag goes up,
 * and by {@link #rescue()} on every coarse-clock tick (real time, whatever the ticker).
 */
final class GlobalCap<T> {
    private final int maxTotal;
    /** The live sub-pools (the keyed pool's map, read through): donors for evictions, and the keys the flag goes to. */
    private final Iterable<CorePool<T>> pools;
    private final AtomicInteger used = new AtomicInteger();
    private final Set<CorePool<?>> starved = ConcurrentHashMap.newKeySet();
    private final AtomicInteger pendingEvictions = new AtomicInteger();
    private final ReentrantLock flags = new ReentrantLock();
    private volatile boolean starving;

    GlobalCap(int maxTotal, Iterable<CorePool<T>> pools) {
        this.maxTotal = maxTotal;
        this.pools = pools;
    }

    boolean starving() {
        return starving;
    }

    /** The limit as {@code pool} sees it: each call names the pool it is for. */
    Capacity forPool(CorePool<?> pool) {
        return new Capacity() {
            @Override
            public boolean tryReserve(boolean forWaiter) {
                return GlobalCap.this.tryReserve(pool, forWaiter);
            }

            @Override
            public boolean hasRoom() {
                return GlobalCap.this.hasRoom();
            }

            @Override
            public void release(boolean evicted) {
                GlobalCap.this.release(evicted);
            }

            @Override
            public void evictionAbandoned() {
                GlobalCap.this.evictionAbandoned();
            }

            @Override
            public boolean claimEviction() {
                return GlobalCap.this.claimEviction(pool);
            }
        };
    }

    /** See {@link Capacity#tryReserve}. */
    private boolean tryReserve(CorePool<?> pool, boolean forWaiter) {
        for (;;) {
            int u = used.get();
            if (u >= maxTotal) {
                break;
            }
            if (used.compareAndSet(u, u + 1)) {
                return true;
            }
        }
        if (forWaiter) {
            starved.add(pool);
            evictFor(pool);
        }
        return false;
    }

    private boolean hasRoom() {
        return used.get() < maxTotal;
    }

    private void release(boolean evicted) {
        used.decrementAndGet();
        if (evicted) {
            pendingEvictions.decrementAndGet();
        }
        if (!starved.isEmpty()) {
            serveStarved();
        }
    }

    private void evictionAbandoned() {
        pendingEvictions.decrementAndGet();
    }

    /**
     * Gives free units to the starved keys, the one whose oldest waiter came first first; a key
     * that starts no create with it (a create in flight already covers its waiter, back-off, an
     * open circuit) leaves the unit to the next.
     */
    private void serveStarved() {
        CorePool<?> best;
        while (hasRoom() && (best = oldestStarved()) != null) {
            starved.remove(best);
            best.creator.demand();
        }
        updateFlags();
    }

    /** The starved key whose oldest waiter came first, or null; drops keys with no waiter left. */
    private CorePool<?> oldestStarved() {
        CorePool<?> best = null;
        long oldest = 0;
        for (CorePool<?> p : starved) {
            long since = p.queue.oldestSince();
            if (since == Long.MAX_VALUE || (p.bits & Gate.CLOSED) != 0) {
                starved.remove(p);
            } else if (best == null || since - oldest < 0) {
                best = p;
                oldest = since;
            }
        }
        return best;
    }

    /** Waiters of the starved keys, but {@code except}'s. */
    private int starvedWaiters(CorePool<?> except) {
        int n = 0;
        for (CorePool<?> p : starved) {
            if (p != except) {
                n += p.bits & Gate.WAITERS;
            }
        }
        return n;
    }

    /** Whether {@code donor}, which just saw a resource go idle, should destroy it for a starved key. */
    private boolean claimEviction(CorePool<?> donor) {
        int wanted = starvedWaiters(donor);
        for (;;) {
            int pending = pendingEvictions.get();
            if (pending >= wanted) {
                if (wanted == 0) {
                    updateFlags(); // nobody waits any more: the flags come down once the starved keys are dropped
                }
                return false;
            }
            if (pendingEvictions.compareAndSet(pending, pending + 1)) {
                return true;
            }
        }
    }

    private void evictFor(CorePool<?> needy) {
        if (pendingEvictions.get() < starvedWaiters(null) && evictOldestIdle(needy)) {
            return;
        }
        updateFlags();
        // A resource of another key returned while we looked saw no flag yet (a return reads the gate
        // without a fence): now that the flag is up, look once more. What returns from here on sees it.
        if (pendingEvictions.get() < starvedWaiters(null)) {
            evictOldestIdle(needy);
        }
    }

    /** Destroys the oldest idle resource of the other keys for {@code needy}; false when there was none to take. */
    private boolean evictOldestIdle(CorePool<?> needy) {
        CorePool<T> donor = null;
        Slot<T> oldest = null;
        for (CorePool<T> p : pools) {
            if (p == needy) {
                continue;
            }
            Slot<T> s = p.table.oldestIdle();
            if (s != null && (oldest == null || s.idleSince - oldest.idleSince < 0)) {
                oldest = s;
                donor = p;
            }
        }
        if (oldest != null) {
            long c = oldest.tryClaim();
            if (c != 0) {
                pendingEvictions.incrementAndGet(); // before the destroy, whose release counts it down
                if (donor.destroy(oldest, c, DestroyReason.EVICTED_FOR_KEY)) {
                    return true;
                }
                pendingEvictions.decrementAndGet();
            }
        }
        return false;
    }

    /**
     * Gives a sub-pool just put in the key map the flag every key must carry now. Its opening read
     * the flag before the map held it, and {@link #updateFlags()} walks the map: a change between
     * the two passed it by (found in review: a key opened as another starved kept its idle
     * resources from it). Under the same lock as the changes, after the map holds it: a change
     * before this is read here, one after it walks the map and finds the sub-pool there.
     */
    void adopt(CorePool<?> p) {
        flags.lock();
        try {
            if (((p.bits & Gate.PEER_STARVED) != 0) != starving) {
                p.setGateBit(Gate.PEER_STARVED, starving);
            }
        } finally {
            flags.unlock();
        }
    }

    /**
     * Puts PEER_STARVED on every key while a key starves, and takes it off when none does. Under a
     * lock, and read from {@code starved} inside it: every change of that set is followed by a call
     * here, so the last call sees the last change.
     */
    private void updateFlags() {
        flags.lock();
        try {
            starved.removeIf(p -> (p.bits & Gate.WAITERS) == 0 || (p.bits & Gate.CLOSED) != 0);
            boolean on = !starved.isEmpty();
            if (on != starving) {
                starving = on;
                for (CorePool<T> p : pools) {
                    p.setGateBit(Gate.PEER_STARVED, on);
                }
            }
        } finally {
            flags.unlock();
        }
    }

    /**
     * The coarse clock's safety net for starved keys: a free unit goes to one, or another key's idle
     * resource is evicted for one, whatever wake-up a race lost.
     */
    void rescue() {
        if (starved.isEmpty()) {
            return;
        }
        if (hasRoom()) {
            serveStarved();
            return;
        }
        CorePool<?> needy = oldestStarved();
        if (needy != null) {
            evictFor(needy);
        } else {
            updateFlags();
        }
    }
}
