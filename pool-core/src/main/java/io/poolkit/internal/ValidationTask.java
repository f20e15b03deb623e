package io.poolkit.internal;

import io.poolkit.DestroyReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validation on acquire: the check runs on a pool worker while the caller waits for it, bounded,
 * so an acquire ends by its deadline whatever the validator does. A caller that stops waiting
 * hands the slot over to the task, which destroys the resource (or, after an interrupt, returns a
 * valid one) when the check finally returns: hooks of one resource never run concurrently.
 */
final class ValidationTask<T> implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ValidationTask.class);

    static final int VALID = 0;
    static final int INVALID = 1;
    /** The caller stopped waiting; the slot is no longer the caller's. */
    static final int ABANDONED = 2;

    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int OVERRAN = 2;
    private static final int INTERRUPTED = 3;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ValidationTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Hooks<T> hooks;
    private final Dispatcher<T> dispatcher;
    private final Destroyer<T> destroyer;
    private final Slot<T> slot;
    private final long word;
    private final long bound;
    private final Thread caller;
    private volatile int state;
    private volatile boolean ok;

    private ValidationTask(PoolContext<T> ctx, Dispatcher<T> dispatcher, Destroyer<T> destroyer, Slot<T> slot, long word, long bound,
                           Thread caller) {
        this.name = ctx.name();
        this.hooks = ctx.hooks();
        this.dispatcher = dispatcher;
        this.destroyer = destroyer;
        this.slot = slot;
        this.word = word;
        this.bound = bound;
        this.caller = caller;
    }

    /** Validates the claimed slot's resource within {@code bound} nanos; see the class notes. */
    static <T> int run(PoolContext<T> ctx, Dispatcher<T> dispatcher, Destroyer<T> destroyer, Slot<T> slot, long word, long bound) {
        if (bound <= 0) {
            dispatcher.giveBack(slot, word);
            return ABANDONED;
        }
        ValidationTask<T> task = new ValidationTask<>(ctx, dispatcher, destroyer, slot, word, bound, Thread.currentThread());
        Clock clock = ctx.clock();
        long start = clock.read();
        ctx.runtime().execute(task);
        while (task.state == RUNNING) {
            long left = bound - (clock.read() - start);
            if (left <= 0) {
                if (STATE.compareAndSet(task, RUNNING, OVERRAN)) {
                    log.warn("{} - validation did not finish within {}; its resource is destroyed when it returns",
                            ctx.name(), Durations.describeNanos(bound));
                    return ABANDONED;
                }
                break;
            }
            LockSupport.parkNanos(task, clock.parkNanos(left));
            if (Thread.currentThread().isInterrupted() && STATE.compareAndSet(task, RUNNING, INTERRUPTED)) {
                return ABANDONED;
            }
        }
        return task.ok ? VALID : INVALID;
    }

    @Override
    public void run() {
        boolean valid;
        try {
            valid = hooks.validate(slot.resource, Durations.ofNanos(bound));
        } catch (Throwable e) { // an Error too: a failed check, never a lost slot
            log.debug("{} - validation of {} threw; destroying it", name, slot, e);
            valid = false;
        }
        ok = valid;
        if (STATE.compareAndSet(this, RUNNING, DONE)) {
            LockSupport.unpark(caller);
        } else if (valid && state == INTERRUPTED) {
            dispatcher.giveBack(slot, word);
        } else {
            destroyer.destroy(slot, word, DestroyReason.VALIDATION_FAILED);
        }
    }
}
