package io.poolkit.internal;

import io.poolkit.CircuitOpenException;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolStats;
import io.poolkit.PoolTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * A pool's exceptions and their messages (STYLE rule 4): what failed, the counts, and a hint that
 * tells "pool exhausted" from "backend down".
 */
final class Diagnostics {
    private final CorePool<?> pool;

    Diagnostics(CorePool<?> pool) {
        this.pool = pool;
    }

    PoolClosedException closed() {
        return new PoolClosedException(pool.name + " - pool is closed (" + pool.stats().brief() + "); it hands out nothing more");
    }

    /** A timeout, counted and reported. */
    PoolTimeoutException timedOut(long waitedNanos) {
        PoolTimeoutException e = timeout(waitedNanos);
        countTimeout(waitedNanos);
        return e;
    }

    void countTimeout(long waitedNanos) {
        pool.counters.timeouts.increment();
        pool.listeners.timedOut(waitedNanos);
    }

    PoolTimeoutException timeout(long waitedNanos) {
        PoolStats st = pool.stats();
        Throwable cause = pool.creator.lastFailure();
        String hint;
        if (cause != null) {
            hint = "creating resources is failing (" + cause.getClass().getName() + ", the cause); is the backend up?";
        } else if ((pool.bits & Gate.SUSPENDED) != 0) {
            hint = "the pool is suspended";
        } else if (st.leased() >= st.maxSize()) {
            hint = "every resource is leased: raise maxSize or look for leases that are never closed";
        } else if (st.creating() > 0) {
            hint = "resources are being created: the factory is slow, or raise maxConcurrentCreates";
        } else {
            hint = "no idle resource was free in time";
        }
        return new PoolTimeoutException(pool.name + " - acquire timed out after " + TimeUnit.NANOSECONDS.toMillis(waitedNanos)
                + " ms (" + st.brief() + "); " + hint, cause);
    }

    /** Fails an acquire fast when it would need a create and the circuit is open. */
    void checkCircuit() {
        if (pool.circuit.rejectsAcquire() && pool.table.occupied.get() < pool.maxSize) {
            CircuitOpenException e = new CircuitOpenException(pool.name + " - circuit open after repeated create failures,"
                    + " failing fast (" + pool.stats().brief() + "); it half-opens after "
                    + Durations.describe(pool.config.circuitOpen), pool.creator.lastFailure());
            pool.counters.rejected.increment();
            pool.listeners.rejected(e);
            throw e;
        }
    }

    String useAfterClose(Slot<?> s, long leased) {
        long w = s.word;
        boolean sameStamp = (w & ~Slot.STATE_MASK) == (leased & ~Slot.STATE_MASK);
        String what;
        if (w != leased && sameStamp && (Slot.state(w) == Slot.DESTROYING || Slot.state(w) == Slot.EMPTY)) {
            what = (pool.bits & Gate.CLOSED) != 0 ? "its resource was destroyed (the pool shut down)"
                    : "its resource was destroyed (invalidated or retired)";
        } else {
            what = "it was closed and its resource returned to the pool";
        }
        return pool.name + " - lease used after close: " + what + "; acquire a new lease instead of keeping the resource";
    }
}
