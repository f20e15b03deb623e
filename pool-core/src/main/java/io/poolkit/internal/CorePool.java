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
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool engine behind {@link Pool} (and behind every key of a keyed pool).
 *
 * <h2>Design notes: the reader's map</h2>
 *
 * <p><b>Slots.</b> Resources live in a table of {@link Slot}s ({@link SlotTable}, which knows nothing
 * else of the pool); each slot's word moves
 * EMPTY → CREATING → IDLE ⇄ LEASED → DESTROYING → EMPTY (plus IDLE → CHECKING → IDLE for background
 * keepalive). Only the thread that moved a word into CREATING, LEASED, CHECKING or DESTROYING may
 * touch the slot's plain fields until it moves the word on. {@code occupied} counts non-EMPTY slots
 * and is the size bound: a create first raises it (below {@code maxSize}), and it falls only once
 * {@code destroy()} has returned.
 *
 * <p><b>Fast path.</b> Acquire reads the gate ({@link Gate}); unless a {@link Gate#BARRIER} bit is set (hand-off
 * mode, suspended, shrinking, closed, a starved key; waiters alone are no barrier) it claims an idle
 * slot with one CAS, starting at the calling thread's hint or home index (a hash of the thread, so
 * threads rarely collide and a thread gets back what it used last: LIFO without a ThreadLocal). No
 * clock read beyond the coarse clock's volatile. Return checks the slot's expiry on the coarse clock,
 * publishes the slot idle with one release store and reads the gate; only a non-zero gate costs more
 * ({@link Dispatcher#afterReturn(int, long, Slot, long)}).
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
 * ({@link WaitQueue}) and wait in {@link Dispatcher#await}; in normal mode a return leaves its
 * resource idle for any running caller and wakes the oldest waiter to compete for it, in hand-off
 * mode (once the oldest has waited {@code fairness}) every idle resource goes to the oldest waiter.
 * {@link Dispatcher}'s notes give the protocol, the wake-ups a return can miss and what bounds them.
 *
 * <p><b>Background.</b> {@link Creator} starts creates on the workers, only while waiters outnumber
 * creates in flight or idle is below minIdle; {@link Maintenance} runs at the next time deadline.
 * Destroys run on the workers too ({@link Destroyer}); callers never wait for either.
 *
 * <p><b>Helpers.</b> This class keeps the fast paths, which checks a claimed slot needs
 * ({@link LeaseChecks} runs them) and the API; each other job is a helper that is given a
 * {@link PoolContext} and the siblings it uses, never the pool (ARCHITECTURE.md has the table). The
 * pool extends {@link Gate} so the fast path reads the gate from its own object.
 */
public final class CorePool<T> extends Gate implements Pool<T> {
    private static final Logger log = LoggerFactory.getLogger(CorePool.class);

    final String name;
    final Config config;
    final PoolRuntime runtime;
    final Clock clock;
    final Listeners<T> listeners;
    final Counters counters = new Counters();
    final CircuitBreaker circuit;

    // Hot fields, read on every acquire and return (and the gate's bits, in Gate).
    final SlotTable<T> table;
    private final boolean returnHooks;
    /** validateAfterIdle when there is a validator, else "never": one compare on the fast path. */
    private final long validateNanos;
    private final boolean hasOnAcquire;
    /** Listeners registered or leak detection on: the fast paths then take the observed route. */
    private volatile boolean observed;
    /**
     * The fast acquire's one pool-level field: {@code validateNanos}, or {@code Long.MIN_VALUE} when
     * the acquire must take the checked path (observed, an onAcquire hook, or an injected ticker), so
     * its idle-time compare {@code now - idleSince >= fastIdleLimit} holds for every slot and sends it
     * there — one load and compare for the three flags and validateAfterIdle (and the fast paths read
     * {@link CoarseClock#now} itself, with no clock object between: an injected ticker is sent away
     * by this same compare, whatever the two clocks read).
     */
    private volatile long fastIdleLimit;
    /**
     * The fast return's one pool-level field: 0, or {@code Long.MAX_VALUE} when the return must take
     * the checked path (observed, a reset or validate-on-return hook, or an injected ticker), so its
     * maxUses compare {@code usesLeft <= fastUsesFloor} holds for every slot and sends it there.
     */
    private volatile long fastUsesFloor;

    volatile long acquireTimeoutNanos;
    private final Predicate<Throwable> invalidateOn;

    // The helpers, each given the context and the siblings it uses (see PoolContext).
    final Destroyer<T> destroyer;
    final Creator<T> creator;
    final Diagnostics diagnostics;
    final WaitQueue<T> queue;
    final Dispatcher<T> dispatcher;
    private final Recycler<T> recycler;
    final Maintenance<T> maintenance;
    private final Admin<T> admin;
    private final Shutdown<T> shutdown;
    private final LeaseChecks<T> checks;
    private final AsyncAcquire.Env<T> async;

    /**
     * A pool; {@code capacityFor} gives it the limit above its own maxSize (a keyed pool's maxTotal,
     * bound to this pool, or {@link Capacity#NONE}).
     */
    CorePool(Config config, String name, Hooks<T> hooks, PoolRuntime runtime, Function<? super CorePool<T>, Capacity> capacityFor,
             AtomicInteger sharedWaiters, int sharedMaxWaiters) {
        this.config = config;
        this.name = name;
        this.runtime = runtime;
        this.clock = runtime.clock;
        this.listeners = new Listeners<>(name);
        this.circuit = new CircuitBreaker(config.circuitFailures, Durations.toNanos(config.circuitOpen), clock, listeners);
        this.table = new SlotTable<>(config.maxSize, config.idleOrder == IdleOrder.FIFO);
        this.returnHooks = hooks.hasResetter || config.validateOnReturn;
        this.validateNanos = hooks.hasValidator ? Durations.toNanos(config.validateAfterIdle) : Durations.NEVER;
        this.hasOnAcquire = hooks.hasOnAcquire;
        this.acquireTimeoutNanos = Durations.toNanos(config.acquireTimeout);
        this.invalidateOn = config.invalidateOn;
        long fairnessNanos = Durations.toNanos(config.fairness);
        Capacity capacity = capacityFor.apply(this);

        // Built in dependency order; the two back edges (a freed slot asks the creator for demand, a
        // created resource goes to the dispatcher) are callbacks, read when they first run, after start().
        PoolContext<T> ctx = new PoolContext<>(name, config, hooks, runtime, clock, listeners, counters, circuit, table, this);
        this.destroyer = new Destroyer<>(ctx, capacity, this::demand);
        this.creator = new Creator<>(ctx, capacity, destroyer, this::deliverCreated);
        this.diagnostics = new Diagnostics(ctx, creator);
        this.queue = new WaitQueue<>(ctx, diagnostics, fairnessNanos, Math.min(config.maxWaiters, WAITERS), sharedWaiters, sharedMaxWaiters);
        this.dispatcher = new Dispatcher<>(ctx, queue, diagnostics, creator, destroyer, capacity, fairnessNanos);
        this.recycler = new Recycler<>(ctx, destroyer, dispatcher);
        this.maintenance = new Maintenance<>(ctx, creator, destroyer, dispatcher);
        this.admin = new Admin<>(ctx, creator, destroyer, dispatcher, maintenance);
        this.shutdown = new Shutdown<>(ctx, queue, dispatcher, destroyer, creator, maintenance);
        this.checks = new LeaseChecks<>(ctx, destroyer, dispatcher, maintenance);
        this.async = new AsyncAcquire.Env<>(this, table, clock, runtime, diagnostics, queue, dispatcher, creator, this::checkoutLease);
        observersChanged();
    }

    /** The destroyer's callback: a freed slot may serve a waiter or minIdle. */
    private void demand() {
        creator.demand();
    }

    /** The creator's callback: a created resource goes to the oldest waiter, or idle. */
    private void deliverCreated(Slot<T> s) {
        dispatcher.deliverCreated(s);
    }

    /** Starts the background work; separate from the constructor so no half-built pool escapes. */
    void start() {
        dispatcher.startNudges();
        maintenance.start();
        creator.demand();
    }

    void onClosed(Runnable hook) {
        shutdown.onClosed(hook);
    }

    // ---------------------------------------------------------------- acquire

    @Override
    public Lease<T> acquire() throws InterruptedException {
        return leaseOf(claim(null));
    }

    @Override
    public Lease<T> acquire(Duration timeout) throws InterruptedException {
        Check.notNegative("timeout", timeout);
        return leaseOf(claim(timeout));
    }

    /**
     * The lease of a slot the caller has just checked out. Every blocking acquire makes its lease
     * here, after its fast and slow paths have met, so that where the caller does not let the lease
     * escape (a try-with-resources) the JIT can replace it by its fields: no allocation per acquire.
     */
    private Lease<T> leaseOf(Slot<T> s) {
        return new LeaseImpl<>(this, s, s.lent, s.lentAt);
    }

    /**
     * Claims and checks out a slot for a blocking acquire, by the fast path when an idle resource
     * needs no check, else by the slow path; {@code timeout} null means the pool's own.
     */
    private Slot<T> claim(Duration timeout) throws InterruptedException {
        Slot<T> s = (bits & BARRIER) == 0 ? table.claimIdle() : null;
        if (s != null && fastCheckout(s)) {
            return s;
        }
        return acquireSlow(timeout == null ? acquireTimeoutNanos : Durations.toNanos(timeout), s);
    }

    /**
     * The fast path's checkout of a slot {@link SlotTable#claimIdle()} has just claimed (its
     * {@code lent} holds the claim's word): one coarse clock read, no hook, no allocation; false
     * when the slot needs a check (the caller takes the slow path with it). The word is not read
     * again: were shutdown to force the slot away after the claim, the lease is one it forced, as
     * it may force any lease after its grace.
     */
    private boolean fastCheckout(Slot<T> s) {
        long now = CoarseClock.now; // an injected ticker fails the second test: see fastIdleLimit
        if (s.expired(now) || now - s.idleSince >= fastIdleLimit) { // expired: lifetime or eviction
            return false;
        }
        s.usesLeft--;
        s.leases++;
        s.lentAt = now;
        return true;
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
            if (checkout(s, s.word, clock.read(), 0, false)) {
                return Optional.of(leaseOf(s));
            }
        }
    }

    @Override
    public CompletableFuture<Lease<T>> acquireAsync() {
        if ((bits & BARRIER) == 0) {
            Slot<T> s = table.claimIdle();
            if (s != null) {
                if (checkout(s, s.word, clock.read(), acquireTimeoutNanos, false)) {
                    return CompletableFuture.completedFuture(leaseOf(s));
                }
            }
        }
        return AsyncAcquire.start(async, acquireTimeoutNanos);
    }

    /**
     * The slow path: checks a slot the fast path claimed ({@code claimed}, or null), then claims or
     * waits until a resource passes its checks or the deadline passes.
     */
    private Slot<T> acquireSlow(long timeoutNanos, Slot<T> claimed) throws InterruptedException {
        long start = clock.read();
        if (claimed != null && checkout(claimed, claimed.word, start, timeoutNanos, false)) {
            return claimed;
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
                s = dispatcher.await(start, timeoutNanos, admitted);
                waited = true;
                admitted = true;
            }
            if (checkout(s, s.word, start, timeoutNanos, waited)) {
                return s;
            }
        }
    }

    /**
     * Checks out a claimed slot to the caller, after the checks it needs: true when it is the
     * caller's (its {@code lent} and {@code lentAt} say the lease); false when the resource was
     * retired or failed validation (it is destroyed) and the caller must look again.
     */
    boolean checkout(Slot<T> s, long word, long start, long timeoutNanos, boolean waited) {
        if (Slot.state(word) != Slot.LIVE) {
            return false; // shutdown forced it away between the claim and now
        }
        long now = clock.coarse();
        if (needsCheck(s, word, now) && !checks.admit(s, word, now, start, timeoutNanos)) {
            return false;
        }
        lend(s, word, waited, start);
        return true;
    }

    /** An asynchronous acquire's checkout: the lease, or null as {@link #checkout} says. */
    Lease<T> checkoutLease(Slot<T> s, long word, long start, long timeoutNanos, boolean waited) {
        return checkout(s, word, start, timeoutNanos, waited) ? leaseOf(s) : null;
    }

    /** Whether a claimed slot needs a check before it is leased: retired, expired, due for validation, or an onAcquire hook. */
    private boolean needsCheck(Slot<T> s, long word, long now) {
        return Slot.state(word) != Slot.LIVE || s.retire != null || now - s.bornAt >= s.lifetime
                || now - s.idleSince >= validateNanos || hasOnAcquire;
    }

    private void lend(Slot<T> s, long word, boolean waited, long start) {
        long now = clock.coarse();
        s.usesLeft--;
        s.leases++;
        s.lent = word;
        s.lentAt = now;
        if (waited || observed) {
            checks.noteAcquire(s, word, now, start, waited);
        }
    }

    /**
     * Listeners or leak detection changed: recompute the flags the fast paths read. Under the gate's
     * lock, so that two changes at once cannot leave the flags of the older one behind.
     */
    void observersChanged() {
        lock.lock();
        try {
            boolean o = listeners.any() || maintenance.leakNanos != Durations.NEVER;
            observed = o;
            boolean ticker = !clock.isSystem();
            fastIdleLimit = o || hasOnAcquire || ticker ? Long.MIN_VALUE : validateNanos;
            fastUsesFloor = o || returnHooks || ticker ? Long.MAX_VALUE : 0;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- return and destroy

    /** Returns a lease's slot; a no-op when the lease is no longer current. */
    void release(Slot<T> s, long leased, long leasedAt) {
        if (!s.isLeasedBy(leased)) {
            return;
        }
        long now = CoarseClock.now; // an injected ticker fails the second test: see fastUsesFloor
        if (s.expired(now) || s.usesLeft <= fastUsesFloor) { // expired: lifetime or eviction
            recycler.release(s, leased, clock.coarse(), leasedAt); // the ticker's time, when injected
            return;
        }
        s.idleSince = now;
        s.remember(); // before the store that lets another thread claim the slot
        s.returnLazily(leased);
        int g = bits;
        if (g != 0) {
            dispatcher.afterReturn(g, now, s, leased);
        }
    }

    /** Destroys a lease's resource for {@code reason} (INVALIDATED, or RESET_FAILED from its holder's own reset). */
    void invalidate(Slot<T> s, long leased, long leasedAt, DestroyReason reason) {
        if (!s.isLeasedBy(leased)) {
            return;
        }
        if (listeners.any()) {
            listeners.returned(s.resource, recycler.heldNanos(s, leased, leasedAt));
        }
        destroy(s, leased, reason);
    }

    /** Destroys an owned slot's resource (see {@link Destroyer#destroy}); the keyed pool's evictions use it. */
    boolean destroy(Slot<T> s, long expected, DestroyReason reason) {
        return destroyer.destroy(s, expected, reason);
    }

    boolean isRetiring(Slot<T> s, long leased) {
        return !s.isLeasedBy(leased) || s.retire != null || clock.coarse() - s.bornAt >= s.lifetime || s.usesLeft <= 0
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
        maintenance.leakNanos = Durations.toNanos(Check.positive("leakDetection", threshold));
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
        return diagnostics.stats();
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public boolean shutdown(Duration grace) throws InterruptedException {
        return shutdown(Check.notNegative("grace", grace), false);
    }

    /** {@link #shutdown(Duration)}; {@code quiet}: a keyed pool's removed key, closed with a DEBUG line, not INFO. */
    boolean shutdown(Duration grace, boolean quiet) throws InterruptedException {
        return shutdown.run(grace, quiet);
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

    /**
     * Keyed pools only: closes this sub-pool if it is unused, atomically with respect to new waiters;
     * {@code beforeClose} runs first, under the gate's lock (the keyed pool marks the key removed).
     */
    boolean closeIfUnused(Runnable beforeClose) {
        return shutdown.closeIfUnused(beforeClose);
    }

    /** Keyed pools only: closes the sub-pool of a removed key, as {@link #close()} does but logging at DEBUG. */
    void closeRemoved() {
        try {
            shutdown(config.shutdownTimeout, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
