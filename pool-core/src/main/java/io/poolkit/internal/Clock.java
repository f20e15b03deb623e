package io.poolkit.internal;

import io.poolkit.Ticker;

/**
 * A pool's view of time: {@link #read()} is precise, {@link #coarse()} is what the fast path reads.
 * With the system ticker the coarse reading comes from {@link CoarseClock}; with an injected ticker
 * both read the ticker, so tests control every deadline. Whatever the ticker, the pool holds the
 * coarse-clock thread while it runs: its nudge is a real-time safety net against wake-ups lost to
 * memory ordering (see {@link CoarseClock}), which happen in real time, not in the pool's time.
 */
public final class Clock {
    /** With an injected ticker, waiting callers re-read it at least this often (in real time). */
    static final long INJECTED_PARK_CAP = CoarseClock.TICK_NANOS;

    private final Ticker ticker;
    private final boolean system;
    private boolean retained;

    Clock(Ticker ticker) {
        this.ticker = ticker;
        this.system = ticker == Ticker.system();
    }

    long read() {
        return system ? System.nanoTime() : ticker.read();
    }

    long coarse() {
        return system ? CoarseClock.now : ticker.read();
    }

    boolean isSystem() {
        return system;
    }

    /** How long a waiter may park for {@code remaining} nanos of this clock's time. */
    long parkNanos(long remaining) {
        return system ? remaining : Math.min(remaining, INJECTED_PARK_CAP);
    }

    void start() {
        if (!retained) {
            retained = true;
            CoarseClock.retain();
        }
    }

    void stop() {
        if (retained) {
            retained = false;
            CoarseClock.release();
        }
    }
}
