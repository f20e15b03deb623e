package io.poolkit.session.internal.worker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** One execution in the worker: its id, its budgets, and whether it has been asked to stop. */
final class Run {
    /**
     * The execution a thread belongs to: set on the execution's own thread and inherited by every
     * thread started from it (virtual threads and pools' workers too). Private to the worker module,
     * so snippet code can neither read nor set it.
     */
    static final InheritableThreadLocal<Run> OWNER = new InheritableThreadLocal<>();

    static final int RUNNING = 0;
    static final int STOPPED = 1;
    static final int OUTPUT_LIMIT = 2;

    final long id;
    final String code;
    final int maxOutputBytes;
    final int maxToolCalls;
    final AtomicLong outputUsed = new AtomicLong();
    final AtomicInteger toolCalls = new AtomicInteger();
    private final AtomicInteger stop = new AtomicInteger(RUNNING);

    Run(long id, String code, int maxOutputBytes, int maxToolCalls) {
        this.id = id;
        this.code = code;
        this.maxOutputBytes = maxOutputBytes;
        this.maxToolCalls = maxToolCalls;
    }

    /** @return true for the first stop request */
    boolean requestStop(int reason) {
        return stop.compareAndSet(RUNNING, reason);
    }

    /** @return whether the snippet tried to print more than the limit */
    boolean overLimit() {
        return outputUsed.get() > maxOutputBytes;
    }

    int stopReason() {
        return stop.get();
    }

    /**
     * Takes up to {@code len} bytes of the output budget; returns how many fit. One byte more than
     * the limit is passed on, so the host sees for itself that the output went past it.
     */
    int reserveOutput(int len) {
        for (;;) {
            long used = outputUsed.get();
            long fit = Math.max(0, Math.min(len, maxOutputBytes + 1L - used));
            if (outputUsed.compareAndSet(used, used + len)) {
                return (int) fit;
            }
        }
    }
}
