package io.poolkit.internal;

import io.poolkit.DestroyReason;
import java.util.concurrent.locks.LockSupport;

/**
 * Where waiting callers and idle resources meet: a caller's wait ({@link #await}), the tail of a
 * return that found the gate non-zero ({@link #afterReturn}), the hand-off of idle slots to the
 * oldest waiters ({@link #dispatch()}) and of a created resource ({@link #deliverCreated}), and the
 * coarse clock's nudge ({@link #onTick()}). It serves the gate's modes: SHRINK and CLOSED destroy
 * idle resources, PEER_STARVED gives one up for a starved key ({@link Capacity#claimEviction()}),
 * HANDOFF and WOKEN are rule 5's.
 *
 * <p><b>Bounded fairness (DESIGN rule 5).</b> Callers that find nothing idle queue FIFO
 * under the gate's lock, which also guards every write of the gate. <i>Normal mode</i> (HANDOFF clear):
 * a return leaves the resource idle for any running caller, wakes the oldest waiter only when no
 * waiter holds the WOKEN token ({@link WaitQueue#wakeOldest()}), and yields while its resource is still
 * idle, a few times at most, so the awake waiter gets a CPU before the returner's next acquire takes
 * the resource back ({@link #afterReturn}); the token holder (a new arrival, or
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
 */
final class Dispatcher<T> {
    /** Spins of a new waiter before its second look and its park. */
    private static final int SPINS = 64;
    /**
     * Rescans of the awake waiter before it gives up its token and parks again (each a claim attempt
     * over the table and a spin-wait hint); never on a virtual thread, which must not burn a carrier.
     */
    private static final int TOKEN_SPINS = 256;
    /**
     * Normal mode: how many times a returning thread yields while its resource is still idle and
     * callers wait (see {@link #afterReturn}); 1, 4 and 16 measured, 4 kept.
     */
    static final int RETURN_YIELDS = 4;

    private final String name;
    private final Clock clock;
    private final SlotTable<T> table;
    private final Gate gate;
    private final WaitQueue<T> queue;
    private final Diagnostics diagnostics;
    private final Creator<T> creator;
    private final Destroyer<T> destroyer;
    private final Capacity capacity;
    /** Rule 5: how long a waiter may be overtaken (0 = always hand off, NEVER = never). */
    private final long fairnessNanos;
    /** How a returning thread yields: {@link Thread#yield()}; a test in this package counts the calls. */
    Runnable yielder = Thread::yield;

    Dispatcher(PoolContext<T> ctx, WaitQueue<T> queue, Diagnostics diagnostics, Creator<T> creator, Destroyer<T> destroyer,
               Capacity capacity, long fairnessNanos) {
        this.name = ctx.name();
        this.clock = ctx.clock();
        this.table = ctx.table();
        this.gate = ctx.gate();
        this.queue = queue;
        this.diagnostics = diagnostics;
        this.creator = creator;
        this.destroyer = destroyer;
        this.capacity = capacity;
        this.fairnessNanos = fairnessNanos;
    }

    /**
     * The coarse clock's safety net (see {@link CoarseClock}): serve waiters, give an idle resource
     * up to a starved key of the same keyed pool, or drain while closing.
     */
    private final Runnable nudge = this::onTick;

    private void onTick() {
        int g = gate.bits;
        if ((g & Gate.CLOSED) != 0 || ((g & (Gate.WAITERS | Gate.PEER_STARVED)) != 0 && (g & Gate.SUSPENDED) == 0)) {
            if ((g & (Gate.WAITERS | Gate.HANDOFF)) == Gate.WAITERS) {
                queue.startHandOff(queue.headSince, clock.read()); // the oldest waiter is past fairness: its turn
            }
            dispatch();
            int after = gate.bits;
            if ((after & Gate.WAITERS) != 0 && (after & (Gate.CLOSED | Gate.SUSPENDED)) == 0) {
                // Waiters left unserved: a create a race left unstarted starts now. In a keyed pool under
                // maxTotal this is also what records the key as starved, so its waiter is served by an
                // eviction (KeyedPoolTest saw a lone waiter time out with another key's resource idle).
                creator.demand();
            }
        }
    }

    void startNudges() {
        CoarseClock.watch(nudge); // on real time whatever the ticker: see CoarseClock
    }

    void stopNudges() {
        CoarseClock.unwatch(nudge);
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
    Slot<T> await(long start, long timeoutNanos, boolean again) throws InterruptedException {
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
        boolean parked = false;
        int spins = 0;
        for (;;) {
            Object r = w.result;
            if (r != null) {
                if (r instanceof Slot) {
                    return (Slot<T>) r;
                }
                throw diagnostics.closed();
            }
            int g = gate.bits;
            if (mayCompete && (g & (Gate.HANDOFF | Gate.SUSPENDED | Gate.CLOSED)) == 0) {
                if (parked) {
                    // Woken (by a return, or by its own threshold): a waiter past fairness does not
                    // compete, it turns hand-off mode on, so it never overtakes an older waiter that
                    // a return has woken but the scheduler has not run yet
                    parked = false;
                    long now = clock.read();
                    if (fairnessNanos != Durations.NEVER && now - w.since >= fairnessNanos && queue.startHandOff(w.since, now)) {
                        lookedAfterEnqueue = false;
                        continue;
                    }
                }
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
            if ((gate.bits & Gate.HANDOFF) == 0 && fairnessNanos != Durations.NEVER) {
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
            LockSupport.parkNanos(gate, clock.parkNanos(park)); // the pool as blocker, as a thread dump shows it
            parked = true;
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
        int g = gate.bits;
        if ((g & Gate.WAITERS) == 0) {
            return;
        }
        if ((g & Gate.BARRIER) != 0) {
            dispatch();
        } else if ((g & Gate.WOKEN) == 0 && table.hasIdle()) {
            queue.wakeOldest();
        }
    }

    /**
     * A resource just went idle ({@code now} from the coarse clock) and the gate {@code g} was not
     * zero: rule 5's return tail. Behind a barrier (hand-off mode, shrink, closing, a starved key),
     * dispatch as before; in normal mode, turn hand-off mode on if the oldest waiter has waited
     * {@code fairness} (the returning thread checks, so the flip does not wait for a parked waiter
     * to be scheduled), else wake the oldest waiter unless one is already awake.
     *
     * <p>After handing the resource to a waiter the returning thread yields once: with more threads
     * than cores the waiter just unparked is runnable but has no CPU, and the returner, running on,
     * would leave the resource handed over and unused for a time slice while the queue behind ages.
     * Measured at 8 threads on 2 resources, 2 cores, interleaved A/B runs: acquires of 1 ms or more
     * fell from 5,600-6,400 to 800-1,100 per run and those over 8 ms from 160-200 to about 80, for
     * the same throughput.
     *
     * <p>In normal mode the returned resource ({@code s}, returned as {@code returned}) stays idle, and
     * the returner yields while it is still idle, callers still wait and no barrier is up, at most
     * {@link #RETURN_YIELDS} times, whether it woke the oldest waiter or found one already awake.
     * Without it, the returner's next acquire takes its own slot back (the hint names it) before the
     * woken waiter gets a CPU, so the woken waiter loses nearly every race, parks until its
     * threshold and the pool falls into hand-off mode, where every hand-off costs a wake-up.
     * HikariCP's bag does the same in spirit (its return yields while anyone waits, until the item
     * is taken), unbounded. Measured with JMH's Oversubscribed (every acquire timed) on 2 cores
     * under a load of 5-17 from other work, interleaved with the build that yielded once after a
     * wake-up: acquires over 8 ms fewer at 16 threads on 4 resources in 8 runs of 9 (80-214 against
     * 185-317) and at 8 on 2 in 3 of 3 (52-174 against 94-202), those of 1 ms or more 1.3-4 times
     * fewer; Contended's throughput the same within its error. Only returns that find waiters pay it.
     */
    void afterReturn(int g, long now, Slot<T> s, long returned) {
        if ((g & Gate.BARRIER) != 0) {
            dispatch();
            if ((g & Gate.HANDOFF) != 0) {
                yielder.run();
            }
        } else if ((g & Gate.WAITERS) != 0) {
            if (queue.startHandOff(queue.headSince, now)) {
                dispatch();
                yielder.run();
                return;
            }
            if ((g & Gate.WOKEN) == 0) {
                queue.wakeOldest();
            }
            for (int i = 0; i < RETURN_YIELDS && s.word == returned; i++) {
                int b = gate.bits;
                if ((b & Gate.WAITERS) == 0 || (b & Gate.BARRIER) != 0) {
                    return;
                }
                yielder.run();
            }
        }
    }

    /**
     * Serves the gate: destroys idle slots while closed or shrinking, then hands idle slots to the
     * oldest waiters until one of the two runs out.
     */
    void dispatch() {
        for (;;) {
            int g = gate.bits;
            if (g == 0) {
                return;
            }
            if ((g & Gate.CLOSED) != 0) {
                drainIdle(DestroyReason.SHUTDOWN);
                return;
            }
            if ((g & Gate.SHRINK) != 0 && table.live() > table.maxSize) {
                Slot<T> s = table.claimIdle();
                if (s == null) {
                    return;
                }
                destroyer.destroyClaimed(s, DestroyReason.SHRUNK);
                continue;
            }
            if ((g & Gate.SUSPENDED) != 0) {
                return;
            }
            if ((g & Gate.WAITERS) == 0) {
                if ((g & Gate.PEER_STARVED) != 0) {
                    Slot<T> s = table.claimIdle();
                    if (s != null && capacity.claimEviction()) {
                        if (!destroyer.destroyClaimed(s, DestroyReason.EVICTED_FOR_KEY)) {
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
        int g = gate.bits;
        if ((g & Gate.WAITERS) == 0 || (g & (Gate.CLOSED | Gate.SUSPENDED | Gate.SHRINK)) != 0) {
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
            if (w.offer(s)) {
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
        if (gate.bits != 0) {
            dispatch();
        }
    }

    private void drainIdle(DestroyReason reason) {
        Slot<T> s;
        while ((s = table.claimIdle()) != null) {
            destroyer.destroyClaimed(s, reason);
        }
        gate.signalIfClosed();
    }
}
