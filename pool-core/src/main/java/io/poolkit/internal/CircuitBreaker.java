package io.poolkit.internal;

import io.poolkit.CircuitState;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The create circuit breaker: after {@code threshold} consecutive create failures it opens for
 * {@code openNanos}; then one trial create (half-open) closes it or opens it again. Consulted only
 * on slow paths (no idle resource, a create about to start), so a lock is fine here.
 */
final class CircuitBreaker {
    private final int threshold;
    private final long openNanos;
    private final Clock clock;
    private final Listeners<?> listeners;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile CircuitState state = CircuitState.CLOSED;
    private int consecutive;
    private long openedAt;
    private boolean trialInFlight;

    CircuitBreaker(int threshold, long openNanos, Clock clock, Listeners<?> listeners) {
        this.threshold = threshold;
        this.openNanos = openNanos;
        this.clock = clock;
        this.listeners = listeners;
    }

    CircuitState state() {
        return state;
    }

    /** Whether a create may start now; in half-open, only the one trial may. */
    boolean allowCreate() {
        if (threshold == 0 || state == CircuitState.CLOSED) {
            return true;
        }
        boolean halfOpened = false;
        boolean allowed;
        lock.lock();
        try {
            if (state == CircuitState.OPEN) {
                if (clock.read() - openedAt < openNanos) {
                    return false;
                }
                state = CircuitState.HALF_OPEN;
                halfOpened = true;
            }
            allowed = state == CircuitState.CLOSED || !trialInFlight;
            if (allowed && state == CircuitState.HALF_OPEN) {
                trialInFlight = true;
            }
        } finally {
            lock.unlock();
        }
        if (halfOpened) {
            listeners.circuitHalfOpen();
        }
        return allowed;
    }

    /** Nanos until an open circuit half-opens, or 0 when it is not open. */
    long untilHalfOpen() {
        if (threshold == 0 || state != CircuitState.OPEN) {
            return 0;
        }
        lock.lock();
        try {
            return state == CircuitState.OPEN ? Math.max(0, openNanos - (clock.read() - openedAt)) : 0;
        } finally {
            lock.unlock();
        }
    }

    /** A create allowed by {@link #allowCreate()} did not start after all. */
    void createNotStarted() {
        if (threshold == 0) {
            return;
        }
        lock.lock();
        try {
            trialInFlight = false;
        } finally {
            lock.unlock();
        }
    }

    /** Whether an acquire that would need a create must fail fast. */
    boolean rejectsAcquire() {
        if (threshold == 0 || state == CircuitState.CLOSED) {
            return false;
        }
        lock.lock();
        try {
            if (state == CircuitState.OPEN) {
                return clock.read() - openedAt < openNanos;
            }
            return trialInFlight;
        } finally {
            lock.unlock();
        }
    }

    void onSuccess() {
        if (threshold == 0) {
            return;
        }
        boolean closed = false;
        lock.lock();
        try {
            consecutive = 0;
            trialInFlight = false;
            if (state != CircuitState.CLOSED) {
                state = CircuitState.CLOSED;
                closed = true;
            }
        } finally {
            lock.unlock();
        }
        if (closed) {
            listeners.circuitClosed();
        }
    }

    void onFailure(Throwable failure) {
        if (threshold == 0) {
            return;
        }
        boolean opened = false;
        lock.lock();
        try {
            consecutive++;
            if (state == CircuitState.HALF_OPEN || (state == CircuitState.CLOSED && consecutive >= threshold)) {
                state = CircuitState.OPEN;
                openedAt = clock.read();
                trialInFlight = false;
                opened = true;
            }
        } finally {
            lock.unlock();
        }
        if (opened) {
            listeners.circuitOpened(failure);
        }
    }
}
