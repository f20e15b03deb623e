package io.poolkit.internal;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shared coarse clock: one daemon thread advances a volatile {@code nanoTime} copy about every
 * 10 ms while at least one pool is open, so the acquire and return paths of pools on the system
 * ticker read time with a plain load instead of a clock call (DESIGN rule 4).
 *
 * <p>The same thread nudges every open pool on each tick, whatever its ticker: a pool with waiters
 * (or closing, or asked to give resources up for a starved key) dispatches its idle resources, and a
 * keyed pool rescues starved keys. A return is a release store without a fence, so in a rare race it
 * may miss a caller that queued at that instant, and that caller's own second look may miss the
 * return; the nudge bounds that window to one tick. It is a safety net, not the hand-off path. It
 * runs on real time for pools on an injected ticker too: the race is one of memory ordering, and an
 * asynchronous waiter or a starved key has no thread of its own to look again (a synchronous waiter
 * re-looks after every park, which is capped at one tick on an injected ticker).
 */
final class CoarseClock {
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    static volatile long now = System.nanoTime();

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static int users;
    private static Thread thread;
    private static final CopyOnWriteArrayList<Runnable> NUDGES = new CopyOnWriteArrayList<>();

    private CoarseClock() {
    }

    /** Runs {@code nudge} on every tick until {@link #unwatch(Runnable)}. */
    static void watch(Runnable nudge) {
        NUDGES.add(nudge);
    }

    static void unwatch(Runnable nudge) {
        NUDGES.remove(nudge);
    }

    static void retain() {
        LOCK.lock();
        try {
            if (users++ == 0) {
                now = System.nanoTime();
                Thread t = new Thread(CoarseClock::run, "poolkit-coarse-clock");
                t.setDaemon(true);
                thread = t;
                t.start();
            }
        } finally {
            LOCK.unlock();
        }
    }

    static void release() {
        LOCK.lock();
        try {
            if (users > 0 && --users == 0) {
                Thread t = thread;
                thread = null;
                LockSupport.unpark(t);
            }
        } finally {
            LOCK.unlock();
        }
    }

    private static void run() {
        Thread me = Thread.currentThread();
        while (thread == me) {
            now = System.nanoTime();
            for (Runnable nudge : NUDGES) {
                try {
                    nudge.run();
                } catch (RuntimeException | Error e) {
                    // a pool's nudge must not stop the clock of every pool
                }
            }
            LockSupport.parkNanos(CoarseClock.class, TICK_NANOS);
        }
    }
}
