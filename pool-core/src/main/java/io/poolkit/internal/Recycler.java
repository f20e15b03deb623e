package io.poolkit.internal;

import io.poolkit.DestroyReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slow return, off the fast path: listeners, expiry, max uses, reset and validation on return,
 * run on the returning thread and bounded; then the resource goes idle (and on to a waiter, through
 * the dispatcher) or to the destroyer.
 */
final class Recycler<T> {
    private static final Logger log = LoggerFactory.getLogger(Recycler.class);

    private final String name;
    private final Hooks<T> hooks;
    private final Clock clock;
    private final Listeners<T> listeners;
    private final Gate gate;
    private final Destroyer<T> destroyer;
    private final Dispatcher<T> dispatcher;
    private final boolean validateOnReturn;
    private final long validationTimeoutNanos;

    Recycler(PoolContext<T> ctx, Destroyer<T> destroyer, Dispatcher<T> dispatcher) {
        this.name = ctx.name();
        this.hooks = ctx.hooks();
        this.clock = ctx.clock();
        this.listeners = ctx.listeners();
        this.gate = ctx.gate();
        this.destroyer = destroyer;
        this.dispatcher = dispatcher;
        this.validateOnReturn = ctx.config().validateOnReturn && ctx.hooks().hasValidator;
        this.validationTimeoutNanos = Durations.toNanos(ctx.config().validationTimeout);
    }

    /** The slow return: listeners, retirement, reset and validation on return, then idle or destroy. */
    void release(Slot<T> s, long leased, long now, long leasedAt) {
        T r = s.resource;
        if (listeners.any()) {
            listeners.returned(r, heldNanos(s, leased, leasedAt));
        }
        DestroyReason reason = s.retire;
        if (reason == null && now - s.bornAt >= s.lifetime) {
            reason = DestroyReason.LIFETIME;
        }
        if (reason == null && s.usesLeft <= 0) {
            reason = DestroyReason.MAX_USES;
        }
        if (reason == null && hooks.hasResetter && !timed("reset", r, true)) {
            reason = DestroyReason.RESET_FAILED;
        }
        if (reason == null && validateOnReturn && !timed("validation on return", r, false)) {
            reason = DestroyReason.VALIDATION_FAILED;
        }
        if (reason != null) {
            destroyer.destroy(s, leased, reason);
            return;
        }
        long idleAt = clock.coarse();
        s.idleSince = idleAt;
        s.markReturned(leased);
        int g = gate.bits;
        if (g != 0) {
            dispatcher.afterReturn(g, idleAt, s, leased);
        }
    }

    /**
     * How long a lease was held: precisely when its acquire was timed (a listener or leak detection
     * was on then), else from the coarse clock (a listener added while the lease was out).
     */
    long heldNanos(Slot<T> s, long leased, long leasedAt) {
        return Math.max(0, s.preciseFor == leased ? clock.read() - s.leasedAtPrecise : clock.coarse() - leasedAt);
    }

    /** Runs reset or validation on the returning thread; an exception, false, or an overrun fails it. */
    private boolean timed(String what, T r, boolean reset) {
        long started = clock.read();
        boolean ok;
        try {
            ok = reset ? resetAndTrue(r) : hooks.validate(r, Durations.ofNanos(validationTimeoutNanos));
        } catch (Throwable e) { // an Error too: a failed check, never a lost slot
            log.debug("{} - {} failed; destroying the resource", name, what, e);
            return false;
        }
        long took = clock.read() - started;
        if (ok && took > validationTimeoutNanos) {
            log.warn("{} - {} took {} (validationTimeout {}); destroying the resource and replacing it in the background",
                    name, what, Durations.describeNanos(took), Durations.describeNanos(validationTimeoutNanos));
            return false;
        }
        return ok;
    }

    private boolean resetAndTrue(T r) throws Exception {
        hooks.reset(r);
        return true;
    }
}
