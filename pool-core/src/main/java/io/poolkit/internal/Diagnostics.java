package io.poolkit.internal;

import io.poolkit.CircuitOpenException;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolException;
import io.poolkit.PoolExhaustedException;
import io.poolkit.PoolStats;
import io.poolkit.PoolTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What a pool says about itself: its stats snapshot (a scan of the slot table plus the slow-path
 * counters, so polling it costs nothing on the fast path), and its exceptions and their messages
 * (STYLE rule 4): what failed, the counts, and a hint that tells "pool exhausted" from "backend down".
 */
final class Diagnostics {
    private final String name;
    private final Config config;
    private final Listeners<?> listeners;
    private final Counters counters;
    private final CircuitBreaker circuit;
    private final SlotTable<?> table;
    private final Gate gate;
    private final Creator<?> creator;

    Diagnostics(PoolContext<?> ctx, Creator<?> creator) {
        this.name = ctx.name();
        this.config = ctx.config();
        this.listeners = ctx.listeners();
        this.counters = ctx.counters();
        this.circuit = ctx.circuit();
        this.table = ctx.table();
        this.gate = ctx.gate();
        this.creator = creator;
    }

    PoolStats stats() {
        int idle = 0;
        int leased = 0;
        int creating = 0;
        int dying = 0;
        long acquired = 0;
        for (Slot<?> s : table.slots) {
            switch (s.kind()) {
                case Slot.IDLE, Slot.CHECKING -> idle++;
                case Slot.LEASED -> leased++;
                case Slot.CREATING -> creating++;
                case Slot.DESTROYING -> dying++;
                default -> { }
            }
            acquired += s.leases;
        }
        int waiting = gate.bits & Gate.WAITERS;
        long waitTotal = counters.waitNanos.sum();
        return new PoolStats(table.maxSize, idle + leased + creating + dying, idle, leased, creating, dying, waiting,
                counters.created.sum(), counters.destroyedTotal(), counters.destroyedByReason(), acquired,
                counters.timeouts.sum(), counters.rejected.sum(), counters.createFailures.sum(),
                counters.leaksSuspected.sum(), Duration.ofNanos(acquired == 0 ? 0 : waitTotal / acquired),
                Duration.ofNanos(counters.maxWaitNanos.get()), circuit.state());
    }

    /** A caller refused by {@code maxWaiters} ({@code limit}); counted by {@link #rejected}. */
    PoolExhaustedException tooManyWaiters(int limit) {
        return new PoolExhaustedException(name + " - too many callers waiting (maxWaiters="
                + limit + "; " + stats().brief() + "); shedding load: raise maxWaiters or maxSize, or slow the callers down");
    }

    /** Counts and reports a refused caller. */
    void rejected(PoolException e) {
        counters.rejected.increment();
        listeners.rejected(e);
    }

    PoolClosedException closed() {
        return new PoolClosedException(name + " - pool is closed (" + stats().brief() + "); it hands out nothing more");
    }

    /** A timeout, counted and reported. */
    PoolTimeoutException timedOut(long waitedNanos) {
        PoolTimeoutException e = timeout(waitedNanos);
        countTimeout(waitedNanos);
        return e;
    }

    void countTimeout(long waitedNanos) {
        counters.timeouts.increment();
        listeners.timedOut(waitedNanos);
    }

    PoolTimeoutException timeout(long waitedNanos) {
        PoolStats st = stats();
        Throwable cause = creator.lastFailure();
        String hint;
        if (cause != null) {
            hint = "creating resources is failing (" + cause.getClass().getName() + ", the cause); is the backend up?";
        } else if ((gate.bits & Gate.SUSPENDED) != 0) {
            hint = "the pool is suspended";
        } else if (st.leased() >= st.maxSize()) {
            hint = "every resource is leased: raise maxSize or look for leases that are never closed";
        } else if (st.creating() > 0) {
            hint = "resources are being created: the factory is slow, or raise maxConcurrentCreates";
        } else {
            hint = "no idle resource was free in time";
        }
        return new PoolTimeoutException(name + " - acquire timed out after " + TimeUnit.NANOSECONDS.toMillis(waitedNanos)
                + " ms (" + st.brief() + "); " + hint, cause);
    }

    /** Fails an acquire fast when it would need a create and the circuit is open. */
    void checkCircuit() {
        if (circuit.rejectsAcquire() && table.occupied.get() < table.maxSize) {
            CircuitOpenException e = new CircuitOpenException(name + " - circuit open after repeated create failures,"
                    + " failing fast (" + stats().brief() + "); it half-opens after "
                    + Durations.describe(config.circuitOpen), creator.lastFailure());
            rejected(e);
            throw e;
        }
    }

    String useAfterClose(Slot<?> s, long leased) {
        long w = s.word;
        boolean sameStamp = (w & ~Slot.STATE_MASK) == (leased & ~Slot.STATE_MASK);
        String what;
        if (w != leased && sameStamp && (Slot.state(w) == Slot.DESTROYING || Slot.state(w) == Slot.EMPTY)) {
            what = (gate.bits & Gate.CLOSED) != 0 ? "its resource was destroyed (the pool shut down)"
                    : "its resource was destroyed (invalidated or retired)";
        } else {
            what = "it was closed and its resource returned to the pool";
        }
        return name + " - lease used after close: " + what + "; acquire a new lease instead of keeping the resource";
    }
}
