package io.poolkit.jdbc.internal;

import io.poolkit.DestroyReason;
import io.poolkit.PoolException;
import io.poolkit.PoolListener;
import java.sql.Connection;

/** Turns a listener of driver connections into one of the pool's {@link PooledConnection}s. */
public final class ListenerAdapter {
    private ListenerAdapter() {
    }

    /**
     * @param listener the caller's listener; the resource each event names is the driver's connection
     * @return the listener the pool takes
     */
    public static PoolListener<PooledConnection> of(PoolListener<? super Connection> listener) {
        return new PoolListener<>() {
            @Override
            public void created(PooledConnection r) {
                listener.created(r.raw());
            }

            @Override
            public void createFailed(Throwable failure) {
                listener.createFailed(failure);
            }

            @Override
            public void acquired(PooledConnection r, long waitNanos) {
                listener.acquired(r.raw(), waitNanos);
            }

            @Override
            public void returned(PooledConnection r, long heldNanos) {
                listener.returned(r.raw(), heldNanos);
            }

            @Override
            public void destroyed(PooledConnection r, DestroyReason reason) {
                listener.destroyed(r.raw(), reason);
            }

            @Override
            public void timedOut(long waitNanos) {
                listener.timedOut(waitNanos);
            }

            @Override
            public void rejected(PoolException reason) {
                listener.rejected(reason);
            }

            @Override
            public void leakSuspected(PooledConnection r, long heldNanos, Throwable acquiredAt) {
                listener.leakSuspected(r.raw(), heldNanos, acquiredAt);
            }

            @Override
            public void circuitOpened(Throwable lastFailure) {
                listener.circuitOpened(lastFailure);
            }

            @Override
            public void circuitHalfOpen() {
                listener.circuitHalfOpen();
            }

            @Override
            public void circuitClosed() {
                listener.circuitClosed();
            }
        };
    }
}
