package io.poolkit.internal;

import io.poolkit.DestroyReason;
import io.poolkit.IdleOrder;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolListener;
import io.poolkit.PoolStats;
import io.poolkit.Registration;
import io.poolkit.ResourceConsumer;
import io.poolkit.ResourceFunction;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool engine behind {@link Pool} (and behind every key of a keyed pool).
 *
 * <h2>Design notes: the reader's map</h2>
 *
 * <p><b>Slots.</b> Resources live in a table of {@link Slot}s; each slot's word moves
 * EMPTY → CREATING → IDLE ⇄ LEASED → DESTROYING → EMPTY (plus IDLE → CHECKING → IDLE for background
 * keepalive). Only the thread that moved a word into CREATING, LEASED, CHECKING or DESTROYING may
 * touch the slot's plain fields until it moves the word on. {@code occupied} counts non-EMPTY slots
 * and is the size bound: a create first raises it (below {@code maxSize}), and it falls only once
 * {@code destroy()} has returned.
 *
 * <p><b>Fast path.</b> Acquire reads the gate ({@link Gate}); unless a {@link Gate#BARRIER} bit is set (hand-off
 * mode, suspended, shrinking, closed, a starved key; waiters alone are no barrier) it claims an idle
 * slot with one CAS, starting at the calling thread's hint or home index (a hash of the thread, so
 * threads rarely collide and a thread gets back what it returned: LIFO without a ThreadLocal). No
 * clock read beyond the coarse clock's volatile. Return checks the slot's expiry on the coarse clock,
 * publishes the slot idle with one release store and reads the gate; only a non-zero gate costs more
 * ({@link #afterReturn(int, long)}).
 *
 * <p><b>Who owns a lease.</b> A lease is the slot plus the word its claim wrote (a stamp that only
 * grows, and the state). It is current while the slot's word still equals it and {@code returned}
 * does not; every close, invalidate and {@code get()} asks {@link Slot#isLeasedBy(long)}, which reads
 * {@code returned} first and the word second. The opposite order was an ABA: a second close read the
 * word (still its own, idle), another thread claimed and returned the slot, and the close then read
 * the other lease's {@code returned}, took the slot for its own and returned it again, leaving it
 * leased with no holder. Because both fields only move forward, reading {@code returned} first costs
 * nothing and closes the window: no stamp compare, no extra atomic on the return path.
 *
 * <p><b>Waiters: bounded fairness (DESIGN rule 5).</b> Callers that find nothing idle queue FIFO
 * under the gate's lock, which also guards every write of the gate. <i>Normal mode</i> (HANDOFF clear):
 * a return leaves the resource idle for any running caller, and wakes the oldest waiter only when no
 * waiter holds the WOKEN token ({@link WaitQueue#wakeOldest()}); the token holder (a new arrival, or
 * the woken head) rescans for idle slots, spinning up to {@link #TOKEN_SPINS} times (never on a
 * virtual thread), then drops the token, looks once more and parks — at most until it has waited
 * {@code fairness} — staying queued, so it keeps its place. A waiter that wins an idle slot by its
 * own claim must still win its own {@link Waiter#cancel()}; if a hand-off beat it, it gives the
 * claimed slot back. <i>Hand-off mode</i> (HANDOFF set): once the oldest waiter has waited
 * {@code fairness} — noticed by the returning thread from the coarse clock ({@link WaitQueue#headSince},
 * no clock call), by the waiter itself at its threshold, or by the coarse clock's nudge — every idle
 * slot goes through {@link #dispatch()} to the oldest waiter with a CAS on the waiter, arrivals
 * queue and {@code tryAcquire()} finds nothing; the queue recomputes the bit whenever its head
 * changes, so the mode ends when the oldest remaining waiter is younger than {@code fairness}. An
 * asynchronous head, or {@code fairness(ZERO)}, keeps HANDOFF on (ZERO is the strict hand-off this
 * pool had before rule 5); {@code FOREVER} never sets it for age. Every way out of the queue drops the
 * token ({@link WaitQueue}), and a waiter leaving on its own ({@link #leave(Waiter)}) passes on what
 * its leaving changed: a dispatch if the new head is due, a wake-up if a slot is idle (the wake-ups
 * a return can miss, and what bounds them, are the next paragraph). {@link #dispatch()} still runs after
 * every create, after a return behind a barrier, and from the nudge. A waiter that leaves (timeout,
 * interrupt, cancel) wins or loses one CAS, and a loser passes its slot on. A hand-off wakes its
 * waiter with an unpark, and a waiter's own wait for the queue lock (at its threshold) can spend that
 * permit; so a waiter looks at its result after its last lock and before it parks, with no lock in
 * between ({@code HandOffAtTheThresholdTest}: a served waiter parked until its deadline).
 *
 * <p><b>Lost wake-ups and their bounds.</b> The return's release store and its read of the gate are
 * not fenced, so a return and a thread that writes the gate under the lock and then looks for idle
 * slots can each miss the other: a caller that queues, a token holder that drops its token, a waiter
 * that flips hand-off mode on (the return, reading the gate from before the flip, calls
 * {@link WaitQueue#wakeOldest()}, which finds HANDOFF set and wakes nobody), a key that raises
 * PEER_STARVED. The resource is idle and nobody is woken. What then bounds the wait: the next
 * return; a synchronous waiter's park, which in normal mode never outlasts its fairness threshold
 * (in hand-off mode it parks until its deadline), and on an injected ticker is capped at one tick of
 * real time with a dispatch after it; and the coarse clock's nudge ({@link #onTick()}, with the keyed
 * pool's rescue), which runs every tick on real time for every pool, injected ticker or not — an
 * asynchronous waiter and a starved key have no thread of their own to look again, and before the
 * nudge ran for injected tickers they waited for their deadline ({@code MissedReturnTest}). So every
 * such wait ends within one tick (10 ms) of real time, whatever the mode, fairness or ticker.
 *
 * <p><b>Background.</b> {@link Creator} starts creates on the workers, only while waiters outnumber
 * creates in flight or idle is below minIdle; {@link Maintenance} runs at the next time deadline.
 * Destroys run on the workers too; callers never wait for either.
 */
public final class CorePool<T> extends Gate implements Pool<T> {
    private static final Logger log = LoggerFactory.getLogger(CorePool.class);

    /** Spins of a new waiter before its second look and its park. */
    private static final int SPINS = 64;
    /**
     * Rescans of the awake waiter before it gives up its token and parks again (each a claim attempt
     * over the table and a spin-wait hint); never on a virtual thread, which must not burn a carrier.
     */
    private static final int TOKEN_SPINS = 256;

    final String name;
    final Config config;
    final Hooks<T> hooks;
    final PoolRuntime runtime;
    final Clock clock;
    final Listeners<T> listeners;
    final Counters counters = new Counters();
    final CircuitBreaker circuit;
    final Creator<T> creator;
    final Maintenance<T> maintenance;
    final Capacity capacity;

    // Hot fields, read on every acquire and return (and the gate's bits, in Gate).
    final SlotTable<T> table;
    private final boolean returnHooks;
    final boolean hasValidator;
    private final long validateAfterIdleNanos;
    /** validateAfterIdle when there is a validator, else "never": one compare on the fast path. */
    private final long validateNanos;
    private final boolean hasOnAcquire;
    /** Listeners registered or leak detection on: the fast paths then take the observed route. */
    private volatile boolean observed;
    final long maxUses;
    /** Rule 5: how long a waiter may be overtaken (0 = always hand off, NEVER = never). */
    final long fairnessNanos;

    volatile int maxSize;
    volatile int minIdle;
    volatile long acquireTimeoutNanos;
    volatile long leakNanos;
    final long validationTimeoutNanos;
    final long createTimeoutNanos;
    private final Predicate<Throwable> invalidateOn;

    final WaitQueue<T> queue;
    final Diagnostics diagnostics = new Diagnostics(this);
    final Shutdown<T> shutdown;
    private final Recycler<T> recycler;
    private final Admin<T> admin;
    /** Keyed pools only: closed because its key was removed, so a caller should retry on a fresh sub-pool. */
    volatile boolean retired;
    /** Keyed pools only: this sub-pool's key. */
    Object key;
    /** Keyed pools only: when the key sweep first saw this pool empty, read and written by the sweep alone. */
    long emptySince = Long.MIN_VALUE;

    CorePool(Config config, String name, Hooks<T> hooks, PoolRuntime runtime, Capacity capacity,
             AtomicInteger sharedWaiters, int sharedMaxWaiters) {
        this.config = config;
        this.name = name;
        this.hooks = hooks;
        this.runtime = runtime;
        this.clock = runtime.clock;
        this.capacity = capacity;
        this.listeners = new Listeners<>(name);
        this.circuit = new CircuitBreaker(config.circuitFailures, Durations.toNanos(config.circuitOpen), clock, listeners);
        this.table = new SlotTable<>(config.maxSize, config.idleOrder == IdleOrder.FIFO);
        this.hasValidator = hooks.hasValidator;
        this.returnHooks = hooks.hasResetter || config.validateOnReturn;
        this.validateAfterIdleNanos = Durations.toNanos(config.validateAfterIdle);
        this.validateNanos = hooks.hasValidator ? validateAfterIdleNanos : Durations.NEVER;
        this.hasOnAcquire = hooks.hasOnAcquire;
        this.validationTimeoutNanos = Durations.toNanos(config.validationTimeout);
        this.createTimeoutNanos = Durations.toNanos(config.createTimeout);
        this.maxUses = config.maxUses;
        this.maxSize = config.maxSize;
        this.minIdle = config.minIdle;
        this.fairnessNanos = Durations.toNanos(config.fairness);
        this.queue = new WaitQueue<>(this, fairnessNanos, Math.min(config.maxWaiters, WAITERS), sharedWaiters, sharedMaxWaiters);
        this.shutdown = new Shutdown<>(this, lock);
        this.recycler = new Recycler<>(this);
        this.admin = new Admin<>(this);
        this.acquireTimeoutNanos = Durations.toNanos(config.acquireTimeout);
        this.leakNanos = Durations.toNanos(config.leakDetection);
        this.observed = leakNanos != Durations.NEVER;
        this.invalidateOn = config.invalidateOn;
        this.creator = new Creator<>(this);
        this.maintenance = new Maintenance<>(this);
    }

    /** Starts the background work; separate from the constructor so no half-built pool escapes. */
    void start() {
        CoarseClock.watch(nudge); // on real time whatever the ticker: see CoarseClock
        maintenance.start();
        creator.demand();
    }

    /**
     * The coarse clock's safety net (see {@link CoarseClock}): serve waiters, give an idle resource
     * up to a starved key of the same keyed pool, or drain while closing.
     */
    private final Runnable nudge = this::onTick;

    private void onTick() {
        int g = bits;
        if ((g & CLOSED) != 0 || ((g & (WAITERS | PEER_STARVED)) != 0 && (g & SUSPENDED) == 0)) {
            if ((g & (WAITERS | HANDOFF)) == WAITERS) {
                queue.startHandOff(queue.headSince, clock.read()); // the oldest waiter is past fairness: its turn
            }
            dispatch();
        }
    }

    void stopNudges() {
        CoarseClock.unwatch(nudge);
    }

    void onClosed(Runnable hook) {
        shutdown.onClosed(hook);
    }

    // ---------------------------------------------------------------- acquire

    @Override
    public Lease<T> acquire() throws InterruptedException {
        if ((bits & BARRIER) == 0) {
            Slot<T> s = table.claimIdle();
            if (s != null) {
                Lease<T> lease = fastLease(s);
                return lease != null ? lease : acquireSlow(acquireTimeoutNanos, s);
            }
        }
        return acquireSlow(acquireTimeoutNanos, null);
    }

    @Override
    public Lease<T> acquire(Duration timeout) throws InterruptedException {
        Check.notNegative("timeout", timeout);
        if ((bits & BARRIER) == 0) {
            Slot<T> s = table.claimIdle();
            if (s != null) {
                Lease<T> lease = fastLease(s);
                return lease != null ? lease : acquireSlow(Durations.toNanos(timeout), s);
            }
        }
        return acquireSlow(Durations.toNanos(timeout), null);
    }

    /**
     * The fast path's lease of a just-claimed slot: one coarse clock read, no hook, no allocation
     * but the lease; {@code null} when the slot needs a check (the caller takes the slow path with it).
     */
    private Lease<T> fastLease(Slot<T> s) {
        long w = s.word;
        long now = clock.coarse();
        if (Slot.state(w) != Slot.LIVE || s.retire != null || now - s.bornAt >= s.lifetime
                || now - s.idleSince >= validateNanos || hasOnAcquire || observed) {
            return null;
        }
        s.uses++;
        s.leases++;
        return new LeaseImpl<>(this, s, w, now);
    }

    @Override
    public Optional<Lease<T>> tryAcquire() {
        for (;;) {
            int g = bits;
            if ((g & CLOSED) != 0) {
                throw diagnostics.closed();
            }
            if ((g & (HANDOFF | SUSPENDED)) != 0) {
                return Optional.empty(); // hand-off mode: every idle resource belongs to the oldest waiter
            }
            Slot<T> s = table.claimIdle();
            if (s == null) {
                return Optional.empty();
            }
            Lease<T> lease = checkout(s, s.word, clock.read(), 0, false);
            if (lease != null) {
                return Optional.of(lease);
            }
        }
    }

    @Override
    public CompletableFuture<Lease<T>> acquireAsync() {
        if ((bits & BARRIER) == 0) {
            Slot<T> s = table.claimIdle();
            if (s != null) {
                Lease<T> lease = checkout(s, s.word, clock.read(), acquireTimeoutNanos, false);
                if (lease != null) {
                    return CompletableFuture.completedFuture(lease);
                }
            }
        }
        return AsyncAcquire.start(this, acquireTimeoutNanos);
    }

    /**
     * The slow path: checks a slot the fast path claimed ({@code claimed}, or null), then claims or
     * waits until a resource passes its checks or the deadline passes.
     */
    private Lease<T> acquireSlow(long timeoutNanos, Slot<T> claimed) throws InterruptedException {
        long start = clock.read();
        if (claimed != null) {
            Lease<T> lease = checkout(claimed, claimed.word, start, timeoutNanos, false);
            if (lease != null) {
                return lease;
            }
        }
        boolean admitted = false; // once queued, a caller whose resource fails its check keeps its place
        for (;;) {
            if (Thread.interrupted()) {
                throw new InterruptedException(name + " - interrupted while acquiring");
            }
            int g = bits;
            if ((g & CLOSED) != 0) {
                throw diagnostics.closed();
            }
            if (timeoutNanos > 0 && timeoutNanos != Durations.NEVER && clock.read() - start >= timeoutNanos) {
                throw diagnostics.timedOut(clock.read() - start); // a resource failed a check that used up the time left
            }
            boolean waited = false;
            Slot<T> s = !admitted && (g & (HANDOFF | SUSPENDED)) == 0 ? table.claimIdle() : null;
            if (s == null) {
                s = await(start, timeoutNanos, admitted);
                waited = true;
                admitted = true;
            }
            Lease<T> lease = checkout(s, s.word, start, timeoutNanos, waited);
            if (lease != null) {
                return lease;
            }
        }
    }

    /**
     * Turns a claimed slot into a lease, after the checks the slot needs; {@code null} when the
     * resource was retired or failed validation (it is destroyed) and the caller must look again.
     */
    Lease<T> checkout(Slot<T> s, long word, long start, long timeoutNanos, boolean waited) {
        if (Slot.state(word) != Slot.LIVE) {
            return null; // shutdown forced it away between the claim and now
        }
        long now = clock.coarse();
        if (needsCheck(s, word, now) && !admit(s, word, now, start, timeoutNanos)) {
            return null;
        }
        return lease(s, word, waited, start);
    }

    /** Whether a claimed slot needs a check before it is leased: retired, expired, due for validation, or an onAcquire hook. */
    private boolean needsCheck(Slot<T> s, long word, long now) {
        return Slot.state(word) != Slot.LIVE || s.retire != null || now - s.bornAt >= s.lifetime
                || now - s.idleSince >= validateNanos || hasOnAcquire;
    }

    private Lease<T> lease(Slot<T> s, long word, boolean waited, long start) {
        long now = clock.coarse();
        s.uses++;
        s.leases++;
        if (waited || observed) {
            noteAcquire(s, word, now, start, waited);
        }
        return new LeaseImpl<>(this, s, word, now);
    }

    /** Listeners or leak detection changed: recompute the one flag the fast paths read for both. */
    void observersChanged() {
        observed = listeners.any() || leakNanos != Durations.NEVER;
    }

    private boolean admit(Slot<T> s, long word, long now, long start, long timeoutNanos) {
        DestroyReason retire = s.retire;
        if (retire == null && now - s.bornAt >= s.lifetime) {
            retire = DestroyReason.LIFETIME;
        }
        if (retire != null) {
            destroy(s, word, retire);
            return false;
        }
        T r = s.resource;
        if (hooks.hasOnAcquire) {
            try {
                hooks.onAcquire(r);
            } catch (Throwable e) { // an Error too: a failed check, never a lost slot
                log.debug("{} - onAcquire failed for {}; destroying it", name, s, e);
                destroy(s, word, DestroyReason.VALIDATION_FAILED);
                return false;
            }
        }
        if (hasValidator && now - s.idleSince >= validateAfterIdleNanos) {
            long bound = validationTimeoutNanos;
            if (timeoutNanos > 0 && timeoutNanos != Durations.NEVER) {
                bound = Math.min(bound, Math.max(0, timeoutNanos - (clock.read() - start)));
            }
            int verdict = ValidationTask.run(this, s, word, bound);
            if (verdict != ValidationTask.VALID) {
                if (verdict == ValidationTask.INVALID) {
                    destroy(s, word, DestroyReason.VALIDATION_FAILED);
                }
                return false; // ABANDONED: the task destroys it when the check returns
            }
        }
        return true;
    }

    private void noteAcquire(Slot<T> s, long word, long now, long start, boolean waited) {
        long waitNanos = 0;
        if (waited || listeners.any()) {
            long precise = clock.read();
            s.leasedAtPrecise = precise;
            s.preciseFor = word;
            if (waited) {
                waitNanos = Math.max(0, precise - start);
                counters.waited(waitNanos);
            }
        }
        if (leakNanos != Durations.NEVER) {
            s.leak = new LeakInfo(word, now, new Throwable("acquired here, by " + Thread.currentThread().getName()));
        }
        if (listeners.any()) {
            listeners.acquired(s.resource, waitNanos);
        }
    }

    /**
     * Queues the caller and waits for a slot (DESIGN rule 5); throws on timeout, interrupt or close.
     *
     * <p>Normal mode: the waiter competes with running callers for idle resources while it holds the
     * WOKEN token (it took it on arrival, or a return woke it), spinning a little, then gives the
     * token back and parks, never longer than until it has waited {@code fairness}; it stays queued
     * throughout, so it keeps its place. Hand-off mode: it only waits for a slot handed to it. A
     * waiter that reaches {@code fairness} unserved turns hand-off mode on itself.
     */
    @SuppressWarnings("unchecked")
    private Slot<T> await(long start, long timeoutNanos, boolean again) throws InterruptedException {
        if (timeoutNanos == 0) {
            throw diagnostics.timedOut(0);
        }
        if (!again) {
            diagnostics.checkCircuit();
        }
        Thread me = Thread.currentThread();
        Waiter<T> w = new Waiter<>(me, start);
        queue.enqueue(w, again);
        creator.demand();
        boolean mayCompete = fairnessNanos != 0;
        boolean maySpin = mayCompete && !VirtualThreads.is(me);
        boolean lookedAfterEnqueue = false;
        int spins = 0;
        for (;;) {
            Object r = w.result;
            if (r != null) {
                if (r instanceof Slot) {
                    return (Slot<T>) r;
                }
                throw diagnostics.closed();
            }
            int g = bits;
            if (mayCompete && (g & (HANDOFF | SUSPENDED | CLOSED)) == 0) {
                Slot<T> s = table.claimIdle();
                if (s != null) {
                    if (w.cancel()) {
                        leave(w);
                        return s;
                    }
                    giveBack(s, s.word); // a hand-off got here first: take that one instead
                    continue;
                }
                if (w.awake && maySpin && spins < TOKEN_SPINS) {
                    spins++;
                    Thread.onSpinWait();
                    continue;
                }
            } else if (!lookedAfterEnqueue) {
                // Hand-off mode: a return publishes with a release store and no fence, so it may
                // have missed this waiter: dispatch, spin a little (catching a hand-off without
                // parking), and dispatch once more before parking.
                lookedAfterEnqueue = true;
                dispatch();
                for (int i = 0; i < SPINS && w.result == null; i++) {
                    Thread.onSpinWait();
                }
                if (w.result == null) {
                    dispatch();
                }
                continue;
            }
            if (w.awake) {
                queue.dropToken(w);
                spins = 0;
                continue; // one more look without the token: a return may have seen it held and not woken anyone
            }
            long now = clock.read();
            long remaining = timeoutNanos == Durations.NEVER ? Durations.NEVER : timeoutNanos - (now - start);
            if (remaining <= 0) {
                if (w.cancel()) {
                    leave(w);
                    throw diagnostics.timedOut(clock.read() - start);
                }
                continue;
            }
            long park = remaining;
            if ((bits & HANDOFF) == 0 && fairnessNanos != Durations.NEVER) {
                long untilUnfair = w.since + fairnessNanos - now;
                if (untilUnfair <= 0) {
                    if (queue.startHandOff(w.since, now)) {
                        lookedAfterEnqueue = false; // serve the oldest now, then look for a hand-off to this waiter
                        continue;
                    }
                    // Closing, or already served. Look at the result once more before parking: the
                    // dispatcher that held the lock may have taken this waiter out and handed it a
                    // resource, and its unpark may have been spent by the wait for the lock (a parked
                    // lock acquisition that fails again parks again); parking now would then last
                    // until the deadline with the resource already ours. Nothing takes a lock between
                    // this look and the park, so an unpark from here on is not lost.
                    if (w.result != null) {
                        continue;
                    }
                    untilUnfair = Durations.NEVER;
                }
                park = Math.min(park, untilUnfair);
            }
            LockSupport.parkNanos(this, clock.parkNanos(park));
            if (w.result == null && !clock.isSystem()) {
                dispatch(); // an injected clock's parks are capped at a tick: look again on every wake-up
            }
            if (Thread.interrupted()) {
                if (!w.cancel() && w.result instanceof Slot) {
                    Slot<T> handed = (Slot<T>) w.result;
                    giveBack(handed, handed.word);
                }
                leave(w);
                throw new InterruptedException(name + " - interrupted while waiting to acquire");
            }
        }
    }

    /**
     * A waiter left the queue on its own (served by its own claim, timed out, interrupted or
     * cancelled): whatever its leaving changed is passed on, so it never strands the next waiter.
     * If the new head is old enough (or asynchronous) hand-off mode is on: serve it; else, if it
     * held the token and a resource is idle, wake the next waiter to compete for it.
     */
    void leave(Waiter<T> w) {
        queue.unlink(w);
        int g = bits;
        if ((g & WAITERS) == 0) {
            return;
        }
        if ((g & BARRIER) != 0) {
            dispatch();
        } else if ((g & WOKEN) == 0 && table.hasIdle()) {
            queue.wakeOldest();
        }
    }

    /**
     * A resource just went idle ({@code now} from the coarse clock) and the gate {@code g} was not
     * zero: rule 5's return tail. Behind a barrier (hand-off mode, shrink, closing, a starved key),
     * dispatch as before; in normal mode, turn hand-off mode on if the oldest waiter has waited
     * {@code fairness} (the returning thread checks, so the flip does not wait for a parked waiter
     * to be scheduled), else wake the oldest waiter unless one is already awake.
     */
    void afterReturn(int g, long now) {
        if ((g & BARRIER) != 0) {
            dispatch();
        } else if ((g & WAITERS) != 0) {
            if (queue.startHandOff(queue.headSince, now)) {
                dispatch();
            } else if ((g & WOKEN) == 0) {
                queue.wakeOldest();
            }
        }
    }

    /**
     * Serves the gate: destroys idle slots while closed or shrinking, then hands idle slots to the
     * oldest waiters until one of the two runs out.
     */
    void dispatch() {
        for (;;) {
            int g = bits;
            if (g == 0) {
                return;
            }
            if ((g & CLOSED) != 0) {
                drainIdle(DestroyReason.SHUTDOWN);
                return;
            }
            if ((g & SHRINK) != 0 && table.live() > maxSize) {
                Slot<T> s = table.claimIdle();
                if (s == null) {
                    return;
                }
                destroyClaimed(s, DestroyReason.SHRUNK);
                continue;
            }
            if ((g & SUSPENDED) != 0) {
                return;
            }
            if ((g & WAITERS) == 0) {
                if ((g & PEER_STARVED) != 0) {
                    Slot<T> s = table.claimIdle();
                    if (s != null && capacity.claimEviction(this)) {
                        if (!destroyClaimed(s, DestroyReason.EVICTED_FOR_KEY)) {
                            capacity.evictionAbandoned();
                        }
                        continue;
                    }
                    if (s != null) {
                        idleQuietly(s, s.word);
                    }
                }
                return;
            }
            Slot<T> s = table.claimIdle();
            if (s == null) {
                return;
            }
            if (!handOff(s)) {
                idleQuietly(s, s.word);
            }
        }
    }

    /**
     * A create succeeded ({@code s} is CREATING, owned by the caller): while callers wait, its
     * resource goes straight to the oldest of them, never idle for a moment. Published idle first,
     * a running waiter could take it itself and still count as waiting until it leaves the queue,
     * and the demand() that follows every create would start a create for a caller already served.
     */
    void deliverCreated(Slot<T> s) {
        int g = bits;
        if ((g & WAITERS) == 0 || (g & (CLOSED | SUSPENDED | SHRINK)) != 0) {
            s.publish(s.word);
            dispatch();
            return;
        }
        long claimed = s.publishClaimed(s.word);
        if (!handOff(s)) {
            giveBack(s, claimed); // everyone left meanwhile: idle, and whoever queued since is served
        }
    }

    private boolean handOff(Slot<T> s) {
        for (;;) {
            Waiter<T> w = queue.poll();
            if (w == null) {
                return false;
            }
            if (w.offer(s, this)) {
                return true;
            }
        }
    }

    /**
     * Puts a claimed slot back to idle without counting a use (a hand-off nobody took); a no-op if
     * the word moved on (shutdown forced it away).
     */
    void idleQuietly(Slot<T> s, long claimed) {
        if (Slot.state(claimed) == Slot.LIVE) {
            s.markReturned(claimed);
        }
    }

    /** Returns a claimed slot that its taker cannot use after all; serves the next waiter. */
    void giveBack(Slot<T> s, long claimed) {
        idleQuietly(s, claimed);
        if (bits != 0) {
            dispatch();
        }
    }

    private void drainIdle(DestroyReason reason) {
        Slot<T> s;
        while ((s = table.claimIdle()) != null) {
            destroyClaimed(s, reason);
        }
        shutdown.signal();
    }

    // ---------------------------------------------------------------- return and destroy

    /** Returns a lease's slot; a no-op when the lease is no longer current. */
    void release(Slot<T> s, long leased, long leasedAt) {
        if (!s.isLeasedBy(leased)) {
            return;
        }
        long now = clock.coarse();
        if (returnHooks || observed || s.retire != null || now - s.bornAt >= s.lifetime || s.uses >= maxUses) {
            recycler.release(s, leased, now, leasedAt);
            return;
        }
        s.idleSince = now;
        s.returnLazily(leased);
        table.remember(s);
        int g = bits;
        if (g != 0) {
            afterReturn(g, now);
        }
    }

    /** Destroys a lease's resource for {@code reason} (INVALIDATED, or RESET_FAILED from its holder's own reset). */
    void invalidate(Slot<T> s, long leased, long leasedAt, DestroyReason reason) {
        if (!s.isLeasedBy(leased)) {
            return;
        }
        if (listeners.any()) {
            listeners.returned(s.resource, heldNanos(s, leased, leasedAt));
        }
        destroy(s, leased, reason);
    }

    /**
     * How long a lease was held: precisely when its acquire was timed (a listener or leak detection
     * was on then), else from the coarse clock (a listener added while the lease was out).
     */
    long heldNanos(Slot<T> s, long leased, long leasedAt) {
        return Math.max(0, s.preciseFor == leased ? clock.read() - s.leasedAtPrecise : clock.coarse() - leasedAt);
    }

    /**
     * Moves an owned slot to DESTROYING and destroys its resource on a worker; the slot is freed
     * when {@code destroy()} returns. False when the word was no longer {@code expected}.
     */
    boolean destroy(Slot<T> s, long expected, DestroyReason reason) {
        return recycler.destroy(s, expected, reason);
    }

    /**
     * Destroys a slot this thread just claimed with {@link SlotTable#claimIdle()}, unless shutdown forced it
     * away since (its word is no longer LIVE: shutdown destroys it, and must be the only one to).
     */
    private boolean destroyClaimed(Slot<T> s, DestroyReason reason) {
        long w = s.word;
        return Slot.state(w) == Slot.LIVE && destroy(s, w, reason);
    }

    /** Lifts SHRINK once the size is back within maxSize (a slot was freed, or a reserve backed out). */
    void shrinkDoneIfFits() {
        if ((bits & SHRINK) != 0 && table.live() <= maxSize) {
            setGateBit(SHRINK, false);
        }
    }

    /** Frees a slot whose create failed or was abandoned (never DESTROYING). */
    void freeCreating(Slot<T> s) {
        recycler.freeCreating(s);
    }

    boolean isRetiring(Slot<T> s, long leased) {
        return !s.isLeasedBy(leased) || s.retire != null || clock.coarse() - s.bornAt >= s.lifetime || s.uses >= maxUses
                || (bits & (CLOSED | SHRINK)) != 0;
    }

    // ---------------------------------------------------------------- withResource

    @Override
    public <R, X extends Exception> R withResource(ResourceFunction<? super T, R, X> fn) throws X, InterruptedException {
        Check.notNull("fn", fn);
        return use(acquire(), fn);
    }

    @Override
    public <X extends Exception> void useResource(ResourceConsumer<? super T, X> fn) throws X, InterruptedException {
        Check.notNull("fn", fn);
        use(acquire(), r -> {
            fn.accept(r);
            return null;
        });
    }

    /** Applies {@code fn} to a leased resource; destroys it when the failure says it is broken. */
    <R, X extends Exception> R use(Lease<T> lease, ResourceFunction<? super T, R, X> fn) throws X {
        R result;
        try {
            result = fn.apply(lease.get());
        } catch (Throwable t) {
            if (breaks(t)) {
                lease.invalidate();
            } else {
                lease.close();
            }
            throw t;
        }
        lease.close();
        return result;
    }

    private boolean breaks(Throwable t) {
        if (t instanceof Error) {
            return true;
        }
        try {
            return invalidateOn.test(t);
        } catch (Throwable e) {
            log.warn("{} - invalidateOn predicate threw; treating the resource as broken", name, e);
            return true;
        }
    }

    // ---------------------------------------------------------------- runtime control

    @Override
    public int warmUp(int count) throws InterruptedException {
        Check.atLeast("count", count, 0);
        if ((bits & CLOSED) != 0) {
            throw diagnostics.closed();
        }
        return creator.warmUp(count);
    }

    @Override
    public void resize(int newMaxSize) {
        admin.resize(newMaxSize);
    }

    @Override
    public void setMinIdle(int newMinIdle) {
        admin.setMinIdle(newMinIdle);
    }

    @Override
    public void setAcquireTimeout(Duration timeout) {
        acquireTimeoutNanos = Durations.toNanos(Check.notNegative("acquireTimeout", timeout));
    }

    @Override
    public void setLeakDetection(Duration threshold) {
        leakNanos = Durations.toNanos(Check.positive("leakDetection", threshold));
        observersChanged();
        maintenance.runSoon();
    }

    @Override
    public void suspend() {
        admin.suspend(true);
    }

    @Override
    public void resume() {
        admin.suspend(false);
    }

    @Override
    public void evictIdle() {
        admin.evictIdle();
    }

    @Override
    public Registration addListener(PoolListener<T> listener) {
        Registration r = listeners.add(listener);
        observersChanged();
        return () -> {
            r.close();
            observersChanged();
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PoolStats stats() {
        return admin.stats();
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public boolean shutdown(Duration grace) throws InterruptedException {
        return shutdown.run(Check.notNegative("grace", grace));
    }

    @Override
    public void close() {
        try {
            shutdown(config.shutdownTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Keyed pools only: nothing leased, idle, created or waiting. */
    boolean isUnused() {
        return (bits & (WAITERS | CLOSED)) == 0 && table.occupied.get() == 0;
    }

    /** Keyed pools only: closes this sub-pool if it is unused, atomically with respect to new waiters. */
    boolean closeIfUnused() {
        return shutdown.closeIfUnused();
    }

    /** Forces a shutdown at once, for a pool that failed to start. */
    void shutdownQuietly() {
        boolean interrupted = Thread.interrupted();
        try {
            shutdown(Duration.ZERO);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "Pool[" + name + ", " + stats().brief() + "]";
    }
}
