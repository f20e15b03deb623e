package io.poolkit.internal;

import io.poolkit.DestroyReason;
import io.poolkit.ResourceCreationException;
import io.poolkit.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts creates, demand-driven (DESIGN rule 6): only while waiters outnumber the creates in flight
 * (at most {@code maxConcurrentCreates}) or idle resources are below {@code minIdle}, never during
 * a back-off pause, and as the circuit breaker allows. Each create runs on a worker, bounded by
 * {@code createTimeout}: past it the worker is interrupted, the create stops counting as in flight
 * and is recorded as a failure, but its slot stays taken until {@code create()} returns; a resource
 * that still arrives is destroyed ({@link DestroyReason#CREATE_TIMEOUT}).
 */
final class Creator<T> {
    private static final Logger log = LoggerFactory.getLogger(Creator.class);

    private final String name;
    private final Hooks<T> hooks;
    private final PoolRuntime runtime;
    private final Clock clock;
    private final Listeners<T> listeners;
    private final Counters counters;
    private final CircuitBreaker circuit;
    private final SlotTable<T> table;
    private final Gate gate;
    private final Capacity capacity;
    private final Destroyer<T> destroyer;
    /** Where a created resource goes (the dispatcher, built after this): to the oldest waiter, or idle. */
    private final Consumer<Slot<T>> deliver;
    private final int maxConcurrent;
    private final long createTimeoutNanos;
    private final long lifetimeNanos;
    private final long maxUses;
    private final double jitter;
    private final long retryInitial;
    private final long retryMax;

    /** Creates counted against maxConcurrentCreates. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Creates past createTimeout whose create() has not returned; they still hold a slot. */
    private final AtomicInteger abandoned = new AtomicInteger();
    /**
     * Creates that succeeded, ever. {@link #demand()} reads it before it looks and again once its
     * CAS has counted its create in flight: a create that finished in between made the look stale
     * (see there).
     */
    private final AtomicLong successes = new AtomicLong();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    private volatile Throwable lastFailure;
    private volatile long nextAttemptAt;
    /**
     * While {@code build()} creates the initial resources in the foreground: a failure then is the
     * caller's to report (build() throws it), and nobody waits behind a back-off.
     */
    private volatile boolean starting;
    /** The pool's minIdle (written by setMinIdle under the gate's lock). */
    volatile int minIdle;

    Creator(PoolContext<T> ctx, Capacity capacity, Destroyer<T> destroyer, Consumer<Slot<T>> deliver) {
        this.name = ctx.name();
        this.hooks = ctx.hooks();
        this.runtime = ctx.runtime();
        this.clock = ctx.clock();
        this.listeners = ctx.listeners();
        this.counters = ctx.counters();
        this.circuit = ctx.circuit();
        this.table = ctx.table();
        this.gate = ctx.gate();
        this.capacity = capacity;
        this.destroyer = destroyer;
        this.deliver = deliver;
        Config c = ctx.config();
        this.maxUses = c.maxUses;
        this.minIdle = c.minIdle;
        this.createTimeoutNanos = Durations.toNanos(c.createTimeout);
        this.maxConcurrent = c.maxConcurrentCreates;
        this.lifetimeNanos = Durations.toNanos(c.maxLifetime);
        this.jitter = c.lifetimeJitter;
        this.retryInitial = Durations.toNanos(c.createRetryInitial);
        this.retryMax = Durations.toNanos(c.createRetryMax);
    }

    /** The last create failure, while creates have been failing with no success since. */
    Throwable lastFailure() {
        return lastFailure;
    }

    int abandonedCreates() {
        return abandoned.get();
    }

    /**
     * Starts the creates that waiters and minIdle call for, within every limit. Each round looks at
     * the waiters, the creates in flight and the idle resources, decides, and counts its create in
     * flight with a CAS on that count. The CAS alone would let a stale look through: between the
     * look and the CAS a create can finish (the count falls, a resource goes idle) and another round
     * start one (the count is back), and then one resource too many is made (a minIdle refill racing
     * the destroys of evictIdle() made minIdle + 1). So a round whose look is older than a create's
     * success backs out and looks again; a success is counted before its create leaves the count.
     */
    void demand() {
        for (;;) {
            long seen = successes.get();
            int g = gate.bits;
            if ((g & (Gate.CLOSED | Gate.SUSPENDED)) != 0) {
                return;
            }
            if (table.occupied.get() >= table.maxSize) {
                return; // full, the common case under load: nothing to start (whoever frees a slot calls demand() again)
            }
            int active = inFlight.get();
            boolean forWaiter = (g & Gate.WAITERS) > active;
            if (!forWaiter && !belowMinIdle(active)) {
                return;
            }
            if (active >= maxConcurrent) {
                return;
            }
            long now = clock.read();
            if (consecutiveFailures.get() > 0 && now - nextAttemptAt < 0) {
                scheduleRetry(nextAttemptAt - now);
                return;
            }
            if (!inFlight.compareAndSet(active, active + 1)) {
                continue;
            }
            if (successes.get() != seen) {
                inFlight.decrementAndGet(); // a create finished since this look: look again
                continue;
            }
            if (!circuit.allowCreate()) {
                inFlight.decrementAndGet();
                long wait = circuit.untilHalfOpen();
                if (wait > 0) {
                    scheduleRetry(wait); // the trial create runs when the open period ends, not at the next maintenance
                }
                return;
            }
            Slot<T> s = reserve(forWaiter);
            if (s == null) {
                inFlight.decrementAndGet();
                circuit.createNotStarted();
                if (table.occupied.get() < table.maxSize && capacity.hasRoom()) {
                    continue; // room came back while this create counted as in flight: a demand() then may have done nothing
                }
                return;
            }
            runtime.execute(new CreateTask(s, null));
        }
    }

    private boolean belowMinIdle(int active) {
        int min = minIdle;
        return min > 0 && table.live() < table.maxSize && table.idleCount() + active < min;
    }

    private void scheduleRetry(long delayNanos) {
        if (retryScheduled.compareAndSet(false, true)) {
            runtime.schedule(() -> {
                retryScheduled.set(false);
                demand();
            }, delayNanos);
        }
    }

    /** Takes a slot for a create: raises the size below maxSize (and the keyed total), then claims an EMPTY slot. */
    private Slot<T> reserve(boolean forWaiter) {
        int o;
        do {
            o = table.occupied.get();
            if (o >= table.maxSize) {
                return null;
            }
        } while (!table.occupied.compareAndSet(o, o + 1));
        // resize() writes maxSize, then reads the size: either it saw this unit (and shrinks), or this sees its maxSize
        if (o + 1 > table.maxSize) {
            table.occupied.decrementAndGet();
            Admin.shrinkDoneIfFits(gate, table); // resize may have begun a shrink for this unit, which is gone again
            return null;
        }
        if ((gate.bits & Gate.CLOSED) != 0 || !capacity.tryReserve(forWaiter)) {
            table.occupied.decrementAndGet(); // closed: no create may start once shutdown has begun
            return null;
        }
        return table.claimEmpty();
    }

    /**
     * Creates until {@code count} resources are idle or maxSize is reached, {@code maxConcurrent} at
     * a time, and waits for them; stops after a round with a failure. Creates already in flight (a
     * minIdle refill) count toward the target and are waited for, bounded by createTimeout.
     */
    int warmUp(int count) throws InterruptedException {
        return warmUp(count, false);
    }

    /** {@link #warmUp(int)}; with {@code countLeased}, leased resources count toward the target too. */
    private int warmUp(int count, boolean countLeased) throws InterruptedException {
        int target = Math.min(count, table.maxSize);
        long waitingSince = System.nanoTime();
        for (;;) {
            int idle = table.idleCount();
            int have = idle + (countLeased ? table.count(Slot.LEASED) : 0);
            if ((gate.bits & Gate.CLOSED) != 0) {
                return have;
            }
            int pending = table.count(Slot.CREATING) - abandoned.get();
            int need = target - have - pending;
            if (need <= 0) {
                if (have >= target || pending <= 0 || System.nanoTime() - waitingSince > createTimeoutNanos) {
                    return have;
                }
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1)); // someone else's creates, bounded
                if (Thread.interrupted()) {
                    throw new InterruptedException(name + " - interrupted while warming up");
                }
                continue;
            }
            if (!circuit.allowCreate()) {
                return have;
            }
            List<CompletableFuture<Boolean>> round = new ArrayList<>();
            for (int i = 0; i < Math.min(need, maxConcurrent); i++) {
                Slot<T> s = reserve(false);
                if (s == null) {
                    break;
                }
                inFlight.incrementAndGet();
                CompletableFuture<Boolean> done = new CompletableFuture<>();
                runtime.execute(new CreateTask(s, done));
                round.add(done);
            }
            if (round.isEmpty()) {
                circuit.createNotStarted();
                if (pending > 0) {
                    continue; // the slots are taken by creates in flight: wait for those
                }
                return have;
            }
            boolean allCreated = true;
            for (CompletableFuture<Boolean> done : round) {
                try {
                    allCreated &= done.get();
                } catch (ExecutionException e) {
                    allCreated = false;
                }
            }
            if (!allCreated) {
                return table.idleCount() + (countLeased ? table.count(Slot.LEASED) : 0);
            }
            waitingSince = System.nanoTime();
        }
    }

    /**
     * The {@code initialSize} creates of {@code build()}, before maintenance starts. Attempts go on
     * while the next one can start within {@code initializationFailTimeout}, so the default (1 ms)
     * makes exactly one.
     */
    void initialize(int initialSize, long failTimeoutNanos) throws InterruptedException {
        if (initialSize == 0) {
            return;
        }
        if (failTimeoutNanos == Durations.NEVER) {
            runtime.execute(() -> initializeInBackground(initialSize));
            return;
        }
        long start = clock.read();
        starting = true;
        try {
            for (boolean retried = false;; retried = true) {
                if (warmUp(initialSize, true) > 0) {
                    return;
                }
                long now = clock.read();
                long left = failTimeoutNanos - (now - start);
                long pause = Math.max(0, nextAttemptAt - now);
                if (left <= 0 || pause >= left) {
                    throw new ResourceCreationException(name + " - could not create any of the " + initialSize
                            + " initial resources within initializationFailTimeout ("
                            + Durations.describeNanos(failTimeoutNanos) + "); is the backend up? Set"
                            + " initializationFailTimeout(Pool.FOREVER) to keep trying in the background", lastFailure);
                }
                if (!retried) {
                    log.warn("{} - creating the initial resources failed ({}); trying again for up to initializationFailTimeout ({})",
                            name, lastFailure, Durations.describeNanos(failTimeoutNanos));
                }
                LockSupport.parkNanos(this, pause);
                if (Thread.interrupted()) {
                    throw new InterruptedException(name + " - interrupted while creating the initial resources");
                }
            }
        } finally {
            starting = false;
        }
    }

    private void initializeInBackground(int initialSize) {
        if ((gate.bits & Gate.CLOSED) != 0) {
            return;
        }
        try {
            if (warmUp(initialSize, true) >= initialSize) {
                return;
            }
        } catch (InterruptedException e) {
            return;
        }
        if ((gate.bits & Gate.CLOSED) != 0) {
            return;
        }
        long delay = Math.max(Math.max(retryInitial, 1), nextAttemptAt - clock.read());
        runtime.schedule(() -> runtime.execute(() -> initializeInBackground(initialSize)), delay);
    }

    private long jitteredLifetime() {
        if (lifetimeNanos == Durations.NEVER || jitter == 0.0) {
            return lifetimeNanos;
        }
        return lifetimeNanos - (long) (lifetimeNanos * jitter * ThreadLocalRandom.current().nextDouble());
    }

    private long backoff(int failures) {
        if (retryInitial == 0) {
            return 0;
        }
        int shift = Math.min(failures - 1, 40);
        long base = retryInitial > (retryMax >> shift) ? retryMax : Math.min(retryMax, retryInitial << shift);
        return base / 2 + (long) (ThreadLocalRandom.current().nextDouble() * (base - base / 2));
    }

    private void succeeded(Slot<T> s, T resource) {
        s.install(resource, clock.coarse(), jitteredLifetime(), maxUses);
        counters.created.increment();
        if (lastFailure != null) {
            log.info("{} - creating resources works again", name);
        }
        lastFailure = null;
        consecutiveFailures.set(0);
        circuit.onSuccess();
        listeners.created(resource);
        deliver.accept(s);
    }

    private void recordFailure(Throwable failure) {
        counters.createFailures.increment();
        lastFailure = failure;
        int n = consecutiveFailures.incrementAndGet();
        nextAttemptAt = clock.read() + backoff(n);
        if (starting) {
            // build() reports it: it retries within initializationFailTimeout, or throws it as the cause
            log.debug("{} - creating an initial resource failed", name, failure);
        } else if (n == 1) {
            log.warn("{} - creating a resource failed; retrying with back-off while callers wait", name, failure);
        } else {
            log.debug("{} - create failed again ({} in a row)", name, n, failure);
        }
        circuit.onFailure(failure);
        listeners.createFailed(failure);
    }

    /** One create on a worker; see the class notes for the timeout protocol. */
    private final class CreateTask implements Runnable {
        private static final int RUNNING = 0;
        private static final int DONE = 1;
        private static final int TIMING_OUT = 2;
        private static final int TIMED_OUT = 3;

        private final Slot<T> slot;
        private final CompletableFuture<Boolean> done;
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private volatile Thread runner;

        CreateTask(Slot<T> slot, CompletableFuture<Boolean> done) {
            this.slot = slot;
            this.done = done;
        }

        @Override
        public void run() {
            runner = Thread.currentThread();
            Scheduler.Cancellable timer = createTimeoutNanos == Durations.NEVER ? null
                    : runtime.schedule(this::timeout, createTimeoutNanos);
            T resource = null;
            Throwable failure = null;
            try {
                resource = hooks.create();
                if (resource == null) {
                    failure = new NullPointerException(name + " - the factory's create() returned null");
                }
            } catch (Throwable t) {
                failure = t;
            }
            if (timer != null) {
                timer.cancel();
            }
            if (state.compareAndSet(RUNNING, DONE)) {
                // the create stops counting as in flight only once its slot is idle (or free), so a
                // concurrent demand() never sees it in neither place and starts one too many
                if (failure == null) {
                    succeeded(slot, resource);
                    successes.incrementAndGet(); // before it leaves inFlight: see demand()
                } else {
                    recordFailure(failure);
                    destroyer.freeCreating(slot);
                }
                inFlight.decrementAndGet();
                finish(failure == null);
            } else {
                while (state.get() != TIMED_OUT) {
                    Thread.onSpinWait();
                }
                Thread.interrupted(); // the timeout's interrupt was meant for create(), not for this worker's next task
                abandoned.decrementAndGet();
                if (failure == null) {
                    lateArrival(resource);
                } else {
                    destroyer.freeCreating(slot);
                }
            }
            demand();
        }

        private void lateArrival(T resource) {
            slot.install(resource, clock.coarse(), 0, maxUses);
            counters.created.increment();
            listeners.created(resource);
            log.debug("{} - a create returned after createTimeout; destroying its resource", name);
            destroyer.destroy(slot, slot.word, DestroyReason.CREATE_TIMEOUT);
        }

        private void timeout() {
            if (!state.compareAndSet(RUNNING, TIMING_OUT)) {
                return;
            }
            abandoned.incrementAndGet();
            runner.interrupt();
            state.set(TIMED_OUT);
            inFlight.decrementAndGet();
            recordFailure(new ResourceCreationException(name + " - create() did not return within createTimeout ("
                    + Durations.describeNanos(createTimeoutNanos) + "); its worker was interrupted and a late"
                    + " resource will be destroyed", null));
            finish(false);
            demand();
        }

        private void finish(boolean created) {
            if (done != null) {
                done.complete(created);
            }
        }
    }
}
