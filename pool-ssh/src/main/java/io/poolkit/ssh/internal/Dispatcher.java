package io.poolkit.ssh.internal;

import io.poolkit.KeyedPool;
import io.poolkit.Lease;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolTimeoutException;
import io.poolkit.Ticker;
import io.poolkit.ssh.SshException;
import io.poolkit.ssh.SshTarget;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares one target's connections among commands, a channel each.
 *
 * <p><b>Design notes.</b> The keyed pool hands out a connection with an ordinary exclusive lease;
 * this dispatcher holds that lease while any channel on the connection is open (an <em>entry</em>)
 * and returns it when the last one closes and no command waits, so the core's counts, idle and
 * lifetime rules see a connection that is simply leased or idle. Inside an entry, {@code open}
 * counts channels against {@code limit} (the permits, at most {@code maxChannelsPerConnection}).
 *
 * <ul>
 *   <li>A command takes a slot on the <em>newest</em> usable entry with a free permit; only when all
 *       are saturated does it queue, FIFO, and the dispatcher asks the pool for another connection
 *       ({@code acquireAsync}) — one per {@code limit} queued commands, so 32 callers on 8-channel
 *       connections open 4, not 32.</li>
 *   <li>A freed slot is handed straight to the oldest waiter; a new connection serves the queue
 *       first.</li>
 *   <li>An entry is unusable once its session closed, its lease {@link Lease#isRetiring() retires},
 *       or the server refused a channel with nothing open on it: no new channel goes there, and its
 *       lease is returned (closed or invalidated) when its last channel closes.</li>
 *   <li>A server that refuses a channel (MaxSessions below our limit) lowers that entry's limit, and
 *       the limit new connections start with, as {@link ChannelLimits} learns it; the command is
 *       retried elsewhere by the caller, which never sees the refusal.</li>
 *   <li>A <em>hold</em> keeps an entry's lease without a permit: a {@code direct-tcpip} channel
 *       (tunnels, jump hosts), which OpenSSH's MaxSessions does not count. It goes to the newest usable
 *       entry whatever its permits, and an entry returns its lease only with no channel and no hold.</li>
 *   <li>A call that timed out in a way that says the connection itself may be dead ({@link Slot#suspect}) puts
 *       its entry under <em>check</em>: no new channel goes there while a {@link ConnectionCheck} runs (one
 *       bounded keepalive round trip); the entry keeps its lease meanwhile. An answer puts it
 *       back in service; none makes it unusable (its lease invalidated when its last channel closes).
 *       Channels open on it are left alone either way. After an unconfirmed {@code direct-tcpip} channel the
 *       check runs with the entry still in service ({@link Slot#probe}: a slow destination explains it too).</li>
 *   <li>A failure that will not go away by waiting (host key, authentication, circuit open, pool
 *       closed) fails the queued commands at once; a create that timed out leaves them waiting for
 *       their own deadline, whose timeout then carries the failure as its cause.</li>
 * </ul>
 *
 * Everything here runs under one lock, held briefly and never across I/O or a pool call that can
 * block; leases are returned after it is released. Waits are measured on the pool's {@code Ticker}.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final String name;
    private final SshTarget target;
    private final KeyedPool<SshTarget, SshConnection> pool;
    private final int maxConnections;
    private final Executor executor;
    private final Events events;
    final ConnectionCheck checks;

    /** The longest a waiter sleeps before it reads the ticker again (an injected ticker moves without a signal). */
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<ConnectionEntry> entries = new ArrayList<>();
    private final ArrayDeque<ChannelWaiter> waiters = new ArrayDeque<>();
    private final List<CompletableFuture<Lease<SshConnection>>> acquiring = new ArrayList<>();
    /** Leases to return (closed or invalidated) once the lock is released. */
    private final List<Runnable> toReturn = new ArrayList<>();
    private final ChannelLimits limits;
    private final Ticker ticker;
    private int pins;
    private RuntimeException lastFailure;
    private boolean closed;

    final LongAdder refusals = new LongAdder();
    /** Forwarded channels whose CLOSE went unanswered within killGrace and were closed on this side alone. */
    final LongAdder closesUnanswered = new LongAdder();

    Dispatcher(String name, SshTarget target, KeyedPool<SshTarget, SshConnection> pool, int maxChannels, int maxConnections,
               Executor executor, Events events, Ticker ticker, ConnectionCheck checks) {
        this.name = name;
        this.target = target;
        this.pool = pool;
        this.limits = new ChannelLimits(maxChannels);
        this.ticker = ticker;
        this.maxConnections = maxConnections;
        this.executor = executor;
        this.events = events;
        this.checks = checks;
    }

    /**
     * The server confirmed {@code slot}'s channel. Called on MINA's I/O thread, which handles one session's
     * messages in order: a refusal that follows sees every confirmation before it.
     */
    void confirmed(Slot slot) {
        lock.lock();
        try {
            if (!slot.isDone() && !slot.confirmed) {
                slot.confirmed = true;
                slot.entry.limits.confirmed();
            }
        } finally {
            lock.unlock();
        }
    }

    /** See {@link Slot#closeUnanswered}. */
    void closeUnanswered(ConnectionEntry e, String what) {
        closesUnanswered.increment();
        suspect(e, what, true);
    }

    // ---------------------------------------------------------------- taking a slot

    /**
     * @param timeoutNanos the longest wait for a free channel
     * @return a slot on a live, authenticated connection
     * @throws PoolTimeoutException when no channel was free in time (cause: the last failure to open a connection)
     * @throws InterruptedException when interrupted while waiting
     */
    Slot acquire(long timeoutNanos) throws InterruptedException {
        return acquire(timeoutNanos, false);
    }

    /**
     * @param timeoutNanos the longest wait for a connection
     * @return a hold on the newest live connection: it keeps the lease but takes no session permit
     *     (for a direct-tcpip channel, which OpenSSH's MaxSessions does not count)
     * @throws PoolTimeoutException when no connection was ready in time
     * @throws InterruptedException when interrupted while waiting
     */
    Slot hold(long timeoutNanos) throws InterruptedException {
        return acquire(timeoutNanos, true);
    }

    private Slot acquire(long timeoutNanos, boolean hold) throws InterruptedException {
        long start = ticker.read();
        lock.lock();
        try {
            if (closed) {
                throw new PoolClosedException(name + " - the pool is closed; no new command runs on " + target);
            }
            if (hold || waiters.isEmpty()) {
                Slot s = hold ? takeHold() : takeSlot();
                if (s != null) {
                    return s;
                }
            }
            ChannelWaiter w = new ChannelWaiter(hold);
            waiters.addLast(w);
            maybeAcquire();
            try {
                while (w.slot == null && w.failure == null) {
                    long left = timeoutNanos - (ticker.read() - start);
                    if (left <= 0) {
                        PoolTimeoutException timeout = timeout(timeoutNanos);
                        waiters.remove(w);
                        throw timeout;
                    }
                    // woken by every change; the cap only lets an injected ticker's time be seen without one
                    changed.awaitNanos(Math.min(left, MAX_WAIT_NANOS));
                }
            } catch (InterruptedException e) {
                waiters.remove(w);
                if (w.slot != null) {
                    Slot s = w.slot;
                    w.slot = null;
                    lock.unlock();
                    try {
                        s.release();
                    } finally {
                        lock.lock();
                    }
                }
                throw e;
            }
            if (w.failure != null) {
                throw Failures.copy(w.failure);
            }
            return w.slot;
        } finally {
            unlockAndReturn();
        }
    }

    /** A slot on the newest usable entry with a free permit, or null. Under the lock. */
    private Slot takeSlot() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            ConnectionEntry e = entries.get(i);
            if (e.open < e.limits.limit() && usable(e)) {
                e.open++;
                return new Slot(this, e, false);
            }
        }
        return null;
    }

    /** A hold on the newest usable entry, permits aside, or null. Under the lock. */
    private Slot takeHold() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            ConnectionEntry e = entries.get(i);
            if (usable(e)) {
                e.holds++;
                return new Slot(this, e, true);
            }
        }
        return null;
    }

    /** Whether nothing is open on {@code e}: no channel, no hold. Under the lock. */
    private static boolean idle(ConnectionEntry e) {
        return e.open == 0 && e.holds == 0;
    }

    /** Whether new channels may open on {@code e}; marks it unusable (for good) when closed or retiring. Under the lock. */
    private boolean usable(ConnectionEntry e) {
        if (e.unusable || e.checking) {
            return false;
        }
        if (!e.connection.isOpen()) {
            e.unusable = true;
            e.invalidate = true;
            log.debug("{} - {} is closed; no new channel goes there", name, e.connection);
        } else if (e.lease.isRetiring()) {
            e.unusable = true;
            log.debug("{} - {} is retiring; no new channel goes there, its lease returns with its last channel", name, e.connection);
        } else {
            return true;
        }
        if (idle(e)) {
            retire(e);
        }
        return false;
    }

    /**
     * Hands free slots to the oldest waiters, in order; a waiter for a hold needs no permit, so it is
     * served past a waiter for a slot that must still wait. Under the lock.
     */
    private void dispatch() {
        boolean any = false;
        boolean permitsLeft = true;
        for (java.util.Iterator<ChannelWaiter> it = waiters.iterator(); it.hasNext(); ) {
            ChannelWaiter w = it.next();
            if (!w.hold && !permitsLeft) {
                continue;
            }
            Slot s = w.hold ? takeHold() : takeSlot();
            if (s == null) {
                if (w.hold) {
                    break; // no usable entry at all
                }
                permitsLeft = false;
                continue;
            }
            it.remove();
            w.slot = s;
            any = true;
        }
        if (any) {
            changed.signalAll();
        }
    }

    /**
     * Asks the pool for as many connections as the queue needs, within maxConnections: one per
     * {@code limit} commands waiting, and one for all the holds waiting (they need no permit, only a
     * live connection). Under the lock.
     */
    private void maybeAcquire() {
        int holds = 0;
        for (ChannelWaiter w : waiters) {
            holds += w.hold ? 1 : 0;
        }
        int slots = waiters.size() - holds;
        while (!closed && (slots > acquiring.size() * limits.forNewConnections() || holds > 0 && acquiring.isEmpty())
                && entries.size() + acquiring.size() < maxConnections) {
            CompletableFuture<Lease<SshConnection>> f;
            try {
                f = pool.acquireAsync(target);
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            acquiring.add(f);
            f.whenCompleteAsync((lease, error) -> acquired(f, lease, error), executor);
        }
    }

    private void acquired(CompletableFuture<Lease<SshConnection>> f, Lease<SshConnection> lease, Throwable error) {
        lock.lock();
        try {
            acquiring.remove(f);
            if (lease != null) {
                lastFailure = null;
                ConnectionEntry e = new ConnectionEntry(lease, limits.newConnection());
                if (closed) {
                    toReturn.add(lease::close);
                    return;
                }
                int at = entries.size();
                while (at > 0 && entries.get(at - 1).connection.id() > e.connection.id()) {
                    at--;
                }
                entries.add(at, e);
                dispatch();
                if (idle(e) && usable(e)) {
                    maybeReturn(e);
                }
            } else {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof CancellationException) {
                    maybeAcquire(); // cancelled by fail(): callers queued since then may need a connection
                    return;
                }
                RuntimeException failure = cause instanceof RuntimeException r ? r
                        : new SshException(name + " - cannot open a connection to " + target + ": " + cause, cause);
                lastFailure = failure;
                if (Failures.isFinal(failure)) {
                    fail(failure);
                } else {
                    changed.signalAll();
                }
            }
            maybeAcquire();
        } finally {
            unlockAndReturn();
        }
    }

    /** Fails every queued command with {@code failure} and stops asking for connections. Under the lock. */
    private void fail(RuntimeException failure) {
        lastFailure = failure;
        for (ChannelWaiter w : waiters) {
            w.failure = failure;
        }
        waiters.clear();
        for (CompletableFuture<Lease<SshConnection>> f : acquiring) {
            f.cancel(false);
        }
        // forgotten now, not when their callbacks run on another thread: a caller queued in between must
        // see no request under way, or it asks for no connection and waits out its timeout
        // (a lease that still arrives for a cancelled request is passed on by the pool)
        acquiring.clear();
        changed.signalAll();
    }

    /**
     * A connect failed, as the pool counted it (it retries with back-off, or opens its circuit): the cause
     * a timed-out command will carry. A failure that waiting will not cure fails the queue again: the
     * connector reported it (see {@link #permanentFailure}) before the pool counted it, and a caller that
     * queued in between waits in the pool for a create that the back-off or the circuit just opened
     * holds back past its deadline.
     */
    void createFailed(Throwable failure) {
        lock.lock();
        try {
            lastFailure = failure instanceof RuntimeException r ? r
                    : new SshException(name + " - cannot open a connection to " + target + ": " + failure, failure);
            if (!waiters.isEmpty() && Failures.isFinal(lastFailure)) {
                fail(lastFailure);
            }
        } finally {
            unlockAndReturn();
        }
    }

    /** A failure that waiting will not cure (host key, authentication): the queue fails now. */
    void permanentFailure(SshException failure) {
        lock.lock();
        try {
            lastFailure = failure;
            fail(failure);
        } finally {
            unlockAndReturn();
        }
    }

    // ---------------------------------------------------------------- returning a slot

    void finish(Slot slot, Slot.Outcome outcome) {
        ConnectionEntry e = slot.entry;
        lock.lock();
        try {
            if (slot.hold) {
                e.holds--;
                // a refused direct-tcpip channel (forwarding off, destination unreachable) says nothing of MaxSessions
                outcome = outcome == Slot.Outcome.REFUSED ? Slot.Outcome.OK : outcome;
            } else {
                e.open--;
            }
            if (slot.confirmed) {
                e.limits.confirmedClosed();
            }
            if (outcome == Slot.Outcome.REFUSED) {
                refusals.increment();
                e.refused(name, limits);
                events.channelRefused(target, e.limits.limit());
            } else if (outcome == Slot.Outcome.BROKEN) {
                e.unusable = true;
                e.invalidate = true;
            }
            settle(e);
        } finally {
            unlockAndReturn();
        }
    }

    /** After a change on {@code e}: waiters served, then an idle entry returned or retired, unless under check. Under the lock. */
    private void settle(ConnectionEntry e) {
        dispatch();
        if (idle(e) && !e.checking && !e.probing) {
            if (e.unusable || !usable(e)) {
                retire(e);
            } else {
                maybeReturn(e);
            }
        }
        maybeAcquire();
    }

    // ---------------------------------------------------------------- checking a suspect connection

    /** @param quarantine whether no new channel goes to {@code e} until the check answers (see {@link Slot#suspect}) */
    void suspect(ConnectionEntry e, String what, boolean quarantine) {
        lock.lock();
        try {
            if (closed || e.unusable || !entries.contains(e)) {
                return;
            }
            boolean running = e.checking || e.probing;
            e.checking |= quarantine;
            e.probing |= !quarantine;
            if (running) {
                return; // the check under way answers for this one too
            }
        } finally {
            lock.unlock();
        }
        checks.start(e.connection, what, !quarantine, alive -> checked(e, alive));
    }

    private void checked(ConnectionEntry e, boolean alive) {
        lock.lock();
        try {
            e.checking = false;
            e.probing = false;
            if (!entries.contains(e)) {
                return; // the dispatcher closed meanwhile and gave its lease back
            }
            if (alive) {
                checks.cleared(e.connection);
            } else {
                e.unusable = true;
                e.invalidate = true;
                checks.retired(e.connection, e.open + e.holds);
            }
            settle(e);
        } finally {
            unlockAndReturn();
        }
    }

    /** An idle entry goes back to the pool unless a waiter or a pin needs it. Under the lock. */
    private void maybeReturn(ConnectionEntry e) {
        if (!waiters.isEmpty() || e.checking || e.probing) {
            return; // an entry under check keeps its lease until the answer
        }
        if (pins > 0 && newestUsable() == e) {
            return;
        }
        entries.remove(e);
        toReturn.add(e.lease::close);
    }

    private ConnectionEntry newestUsable() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            ConnectionEntry e = entries.get(i);
            if (!e.unusable && !e.checking) {
                return e;
            }
        }
        return null;
    }

    /** Removes an unusable entry with nothing open; its lease goes back (invalidated when broken). Under the lock. */
    private void retire(ConnectionEntry e) {
        if (entries.remove(e)) {
            toReturn.add(e.invalidate ? e.lease::invalidate : e.lease::close);
        }
    }

    private void unlockAndReturn() {
        List<Runnable> leases = toReturn.isEmpty() ? List.of() : new ArrayList<>(toReturn);
        toReturn.clear();
        lock.unlock();
        leases.forEach(Runnable::run);
    }

    // ---------------------------------------------------------------- pins, close, stats

    /** A {@code Remote} keeps the newest connection leased between its commands. */
    void pin() {
        lock.lock();
        try {
            pins++;
        } finally {
            lock.unlock();
        }
    }

    void unpin() {
        lock.lock();
        try {
            pins--;
            if (pins == 0) {
                for (ConnectionEntry e : new ArrayList<>(entries)) {
                    if (idle(e)) {
                        maybeReturn(e);
                    }
                }
            }
        } finally {
            unlockAndReturn();
        }
    }

    /** No new command from now on; queued ones fail. Running channels finish (or die with the pool's shutdown). */
    void close() {
        lock.lock();
        try {
            closed = true;
            fail(new PoolClosedException(name + " - the pool closed while a command waited for a channel to " + target));
            for (ConnectionEntry e : new ArrayList<>(entries)) {
                if (idle(e)) {
                    entries.remove(e);
                    toReturn.add(e.lease::close);
                }
            }
        } finally {
            unlockAndReturn();
        }
    }

    /** @return {connections in use, channels open, channel permits, waiting commands} */
    int[] snapshot() {
        lock.lock();
        try {
            return counts();
        } finally {
            lock.unlock();
        }
    }

    /** See {@link #snapshot()}; an entry that takes no new channel counts only the ones open. Under the lock. */
    private int[] counts() {
        int open = 0;
        int limit = 0;
        for (ConnectionEntry e : entries) {
            open += e.open;
            limit += e.unusable || e.checking ? e.open : e.limits.limit();
        }
        return new int[] {entries.size(), open, limit, waiters.size()};
    }

    int channelLimit() {
        lock.lock();
        try {
            return limits.forNewConnections();
        } finally {
            lock.unlock();
        }
    }

    private PoolTimeoutException timeout(long timeoutNanos) {
        return Failures.noChannel(name, target, timeoutNanos, counts(), entries.size() >= maxConnections, lastFailure);
    }
}
