package io.poolkit.internal;

import io.poolkit.Lease;
import io.poolkit.PoolException;
import io.poolkit.PoolTimeoutException;
import io.poolkit.Scheduler;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code acquireAsync()}: a future that waits in the pool's FIFO queue. The future is the
 * single source of truth: whoever completes it first (the pool with a lease, its timer, or the
 * user) wins, the queue entry is then withdrawn, and a lease that could no longer be delivered is
 * closed, which passes it to the next waiter.
 */
final class AsyncAcquire<T> {
    /** Turns a claimed slot into a lease after its checks, or null (the pool's checkout). */
    interface Checkout<T> {
        Lease<T> checkout(Slot<T> s, long word, long start, long timeoutNanos, boolean waited);
    }

    /** What an asynchronous acquire uses of its pool, made once per pool. */
    record Env<T>(Gate gate, SlotTable<T> table, Clock clock, PoolRuntime runtime, Diagnostics diagnostics,
                  WaitQueue<T> queue, Dispatcher<T> dispatcher, Creator<T> creator, Checkout<T> checkout) {
    }

    private final Env<T> env;
    final CompletableFuture<Lease<T>> future = new CompletableFuture<>();
    private final long start;
    private final long timeoutNanos;
    private volatile Waiting<T> current;
    private volatile Scheduler.Cancellable timer;

    private AsyncAcquire(Env<T> env, long start, long timeoutNanos) {
        this.env = env;
        this.start = start;
        this.timeoutNanos = timeoutNanos;
    }

    static <T> CompletableFuture<Lease<T>> start(Env<T> env, long timeoutNanos) {
        AsyncAcquire<T> a = new AsyncAcquire<>(env, env.clock().read(), timeoutNanos);
        try {
            for (;;) {
                int g = env.gate().bits;
                if ((g & Gate.CLOSED) != 0) {
                    throw env.diagnostics().closed();
                }
                Slot<T> s = (g & (Gate.HANDOFF | Gate.SUSPENDED)) == 0 ? env.table().claimIdle() : null;
                if (s == null) {
                    break;
                }
                Lease<T> lease = env.checkout().checkout(s, s.word, a.start, timeoutNanos, false);
                if (lease != null) {
                    return CompletableFuture.completedFuture(lease);
                }
            }
            if (timeoutNanos == 0) {
                PoolTimeoutException e = env.diagnostics().timeout(0);
                env.diagnostics().countTimeout(0);
                throw e;
            }
            env.diagnostics().checkCircuit();
            a.waitInQueue(false);
        } catch (PoolException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (timeoutNanos != Durations.NEVER) {
            a.timer = env.runtime().schedule(a::expire, timeoutNanos);
        }
        a.future.whenComplete((lease, failure) -> a.withdraw());
        return a.future;
    }

    private void waitInQueue(boolean first) {
        // since = the acquire's start, also when it queues again: its age decides hand-off mode
        Waiting<T> w = new Waiting<>(this, start);
        current = w;
        env.queue().enqueue(w, first);
        if (future.isDone() && w.cancel()) {
            env.dispatcher().leave(w);
            return;
        }
        env.creator().demand();
        env.dispatcher().dispatch();
    }

    private void withdraw() {
        Scheduler.Cancellable t = timer;
        if (t != null) {
            t.cancel();
        }
        Waiting<T> w = current;
        if (w != null && w.cancel()) {
            env.dispatcher().leave(w); // a head that left may end hand-off mode, or hand it to an older waiter
        }
    }

    private void expire() {
        env.runtime().completeAsync(() -> {
            if (future.isDone()) {
                return;
            }
            long waited = env.clock().read() - start;
            PoolTimeoutException e = env.diagnostics().timeout(waited);
            env.diagnostics().countTimeout(waited); // before completing: whoever sees the failure sees it counted
            future.completeExceptionally(e);
        });
    }

    /** Runs on the async executor: turn the handed-over slot into the future's lease. */
    private void deliver(Slot<T> slot) {
        if (future.isDone()) {
            env.dispatcher().giveBack(slot, slot.word);
            return;
        }
        Lease<T> lease;
        try {
            lease = env.checkout().checkout(slot, slot.word, start, timeoutNanos, true);
        } catch (RuntimeException | Error e) {
            future.completeExceptionally(e);
            throw e;
        }
        if (lease == null) {
            long waited = env.clock().read() - start;
            if (timeoutNanos != Durations.NEVER && waited >= timeoutNanos) {
                // the resource failed a check that used up the time left: end now, never cycle
                PoolTimeoutException e = env.diagnostics().timeout(waited);
                env.diagnostics().countTimeout(waited);
                future.completeExceptionally(e);
                return;
            }
            try {
                waitInQueue(true);
            } catch (PoolException e) {
                future.completeExceptionally(e);
            }
            return;
        }
        if (!future.complete(lease)) {
            lease.close();
        }
    }

    /** The queue node of an asynchronous waiter: waking it completes the future on the async executor. */
    static final class Waiting<T> extends Waiter<T> {
        private final AsyncAcquire<T> acquire;

        Waiting(AsyncAcquire<T> acquire, long since) {
            super(null, since);
            this.acquire = acquire;
        }

        @Override
        void wake(Slot<T> slot) {
            Env<T> env = acquire.env;
            if (slot == null) {
                env.runtime().completeAsync(() -> acquire.future.completeExceptionally(env.diagnostics().closed()));
            } else {
                env.runtime().completeAsync(() -> acquire.deliver(slot));
            }
        }
    }
}
