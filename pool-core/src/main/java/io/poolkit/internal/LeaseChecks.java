package io.poolkit.internal;

import io.poolkit.DestroyReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a claimed slot between its claim and its lease, off the fast path: the checks
 * it needs (retirement, lifetime, the onAcquire hook, validation on a worker within the caller's
 * deadline) and, for a watched pool, the record of the lease (precise time, wait, leak record,
 * listeners). {@link CorePool#checkout} decides whether a slot needs either.
 */
final class LeaseChecks<T> {
    private static final Logger log = LoggerFactory.getLogger(LeaseChecks.class);

    private final PoolContext<T> ctx;
    private final String name;
    private final Hooks<T> hooks;
    private final Clock clock;
    private final Listeners<T> listeners;
    private final Counters counters;
    private final Destroyer<T> destroyer;
    private final Dispatcher<T> dispatcher;
    private final Maintenance<T> maintenance;
    private final long validateAfterIdleNanos;
    private final long validationTimeoutNanos;

    LeaseChecks(PoolContext<T> ctx, Destroyer<T> destroyer, Dispatcher<T> dispatcher, Maintenance<T> maintenance) {
        this.ctx = ctx;
        this.name = ctx.name();
        this.hooks = ctx.hooks();
        this.clock = ctx.clock();
        this.listeners = ctx.listeners();
        this.counters = ctx.counters();
        this.destroyer = destroyer;
        this.dispatcher = dispatcher;
        this.maintenance = maintenance;
        this.validateAfterIdleNanos = Durations.toNanos(ctx.config().validateAfterIdle);
        this.validationTimeoutNanos = Durations.toNanos(ctx.config().validationTimeout);
    }

    /**
     * Runs the checks a claimed slot needs before it is leased: retirement and lifetime, the
     * onAcquire hook, and validation (bounded by the caller's deadline). False when the resource
     * was retired or failed (it is destroyed, or the validation task destroys it later) and the
     * caller must look again.
     */
    boolean admit(Slot<T> s, long word, long now, long start, long timeoutNanos) {
        DestroyReason retire = s.retire;
        if (retire == null && now - s.bornAt >= s.lifetime) {
            retire = DestroyReason.LIFETIME;
        }
        if (retire != null) {
            destroyer.destroy(s, word, retire);
            return false;
        }
        T r = s.resource;
        if (hooks.hasOnAcquire) {
            try {
                hooks.onAcquire(r);
            } catch (Throwable e) { // an Error too: a failed check, never a lost slot
                log.debug("{} - onAcquire failed for {}; destroying it", name, s, e);
                destroyer.destroy(s, word, DestroyReason.VALIDATION_FAILED);
                return false;
            }
        }
        if (hooks.hasValidator && now - s.idleSince >= validateAfterIdleNanos) {
            long bound = validationTimeoutNanos;
            if (timeoutNanos > 0 && timeoutNanos != Durations.NEVER) {
                bound = Math.min(bound, Math.max(0, timeoutNanos - (clock.read() - start)));
            }
            int verdict = ValidationTask.run(ctx, dispatcher, destroyer, s, word, bound);
            if (verdict != ValidationTask.VALID) {
                if (verdict == ValidationTask.INVALID) {
                    destroyer.destroy(s, word, DestroyReason.VALIDATION_FAILED);
                }
                return false; // ABANDONED: the task destroys it when the check returns
            }
        }
        return true;
    }

    /** Records a lease for those who watch: the precise time, the wait, the leak record, the listeners. */
    void noteAcquire(Slot<T> s, long word, long now, long start, boolean waited) {
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
        if (maintenance.leakNanos != Durations.NEVER) {
            s.leak = new LeakInfo(word, now, new Throwable("acquired here, by " + Thread.currentThread().getName()));
        }
        if (listeners.any()) {
            listeners.acquired(s.resource, waitNanos);
        }
    }
}
