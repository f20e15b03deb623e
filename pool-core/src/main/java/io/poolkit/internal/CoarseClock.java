package io.poolkit.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shared coarse clock of pools on the system ticker: one daemon thread advances a volatile
 * {@code nanoTime} copy about every 10 ms while at least one pool is open, so the acquire and
 * return paths read time with a plain load instead of a clock call (DESIGN rule 4).
 */
final class CoarseClock {
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    static volatile long now = System.nanoTime();

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static int users;
    private static Thread thread;

    private CoarseClock() {
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
            LockSupport.parkNanos(CoarseClock.class, TICK_NANOS);
        }
    }
}
