package io.poolkit.internal;

import io.poolkit.DestroyReason;
import io.poolkit.PoolException;
import io.poolkit.PoolListener;
import io.poolkit.Registration;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool's listeners, as a copy-on-write array so the fast path tests one field for "none". A
 * listener that throws is logged and otherwise ignored: an observer never breaks the pool.
 */
final class Listeners<T> {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    private static final PoolListener<?>[] NONE = new PoolListener<?>[0];

    private final String name;
    @SuppressWarnings("unchecked")
    private volatile PoolListener<T>[] all = (PoolListener<T>[]) NONE;
    private final ReentrantLock lock = new ReentrantLock();

    Listeners(String name) {
        this.name = name;
    }

    boolean any() {
        return all.length != 0;
    }

    Registration add(PoolListener<T> listener) {
        Check.notNull("listener", listener);
        lock.lock();
        try {
            PoolListener<T>[] now = Arrays.copyOf(all, all.length + 1);
            now[now.length - 1] = listener;
            all = now;
        } finally {
            lock.unlock();
        }
        return () -> remove(listener);
    }

    private void remove(PoolListener<T> listener) {
        lock.lock();
        try {
            PoolListener<T>[] now = all;
            for (int i = 0; i < now.length; i++) {
                if (now[i] == listener) {
                    PoolListener<T>[] less = Arrays.copyOf(now, now.length - 1);
                    System.arraycopy(now, i + 1, less, i, now.length - i - 1);
                    all = less;
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void each(Consumer<PoolListener<T>> event) {
        for (PoolListener<T> l : all) {
            try {
                event.accept(l);
            } catch (Throwable e) { // whatever it throws (a sneaky checked exception, an Error): the pool's own work goes on
                failed(l, e);
            }
        }
    }

    void created(T r) {
        each(l -> l.created(r));
    }

    void createFailed(Throwable t) {
        each(l -> l.createFailed(t));
    }

    // acquired and returned run on every lease while listeners exist: plain loops, no lambda to allocate

    void acquired(T r, long waitNanos) {
        for (PoolListener<T> l : all) {
            try {
                l.acquired(r, waitNanos);
            } catch (Throwable e) { // whatever it throws (a sneaky checked exception, an Error): the pool's own work goes on
                failed(l, e);
            }
        }
    }

    void returned(T r, long heldNanos) {
        for (PoolListener<T> l : all) {
            try {
                l.returned(r, heldNanos);
            } catch (Throwable e) { // whatever it throws (a sneaky checked exception, an Error): the pool's own work goes on
                failed(l, e);
            }
        }
    }

    private void failed(PoolListener<T> l, Throwable e) {
        log.warn("{} - listener {} failed; the pool carries on", name, l.getClass().getName(), e);
    }

    void destroyed(T r, DestroyReason reason) {
        each(l -> l.destroyed(r, reason));
    }

    void timedOut(long waitNanos) {
        each(l -> l.timedOut(waitNanos));
    }

    void rejected(PoolException e) {
        each(l -> l.rejected(e));
    }

    void leakSuspected(T r, long heldNanos, Throwable at) {
        each(l -> l.leakSuspected(r, heldNanos, at));
    }

    void circuitOpened(Throwable t) {
        each(l -> l.circuitOpened(t));
    }

    void circuitHalfOpen() {
        each(PoolListener::circuitHalfOpen);
    }

    void circuitClosed() {
        each(PoolListener::circuitClosed);
    }
}
