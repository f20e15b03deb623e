package io.poolkit;

/**
 * Receives a pool's events, for metrics and diagnostics (pool-micrometer binds through it). Every
 * method has an empty default, so a listener overrides what it needs.
 *
 * <p>Events are delivered on the thread where they happen: a caller's (acquired, returned,
 * timedOut, rejected) or a pool worker's (created, createFailed, destroyed, leakSuspected, circuit
 * changes). A listener must be fast, thread-safe and must not call back into the pool's acquire
 * methods; an exception it throws is logged and otherwise ignored. With a listener registered, the
 * pool reads the precise clock on every acquire and return; without one it never does.
 *
 * @param <T> the resource type
 */
public interface PoolListener<T> {

    /** @param resource a resource {@code create()} returned */
    default void created(T resource) {
    }

    /** @param failure what {@code create()} threw, or a {@link ResourceCreationException} for a create timeout */
    default void createFailed(Throwable failure) {
    }

    /**
     * @param resource the leased resource
     * @param waitNanos how long the acquire waited (zero when an idle resource was at hand)
     */
    default void acquired(T resource, long waitNanos) {
    }

    /**
     * @param resource the returned resource
     * @param heldNanos how long it was leased
     */
    default void returned(T resource, long heldNanos) {
    }

    /**
     * @param resource the resource entering destruction
     * @param reason why
     */
    default void destroyed(T resource, DestroyReason reason) {
    }

    /** @param waitNanos how long the acquire waited before it timed out */
    default void timedOut(long waitNanos) {
    }

    /** @param reason the exception the refused acquire got ({@link PoolExhaustedException} or {@link CircuitOpenException}) */
    default void rejected(PoolException reason) {
    }

    /**
     * @param resource the resource held too long
     * @param heldNanos how long it has been held
     * @param acquiredAt a throwable whose stack shows where it was acquired
     */
    default void leakSuspected(T resource, long heldNanos, Throwable acquiredAt) {
    }

    /** @param lastFailure the create failure that opened the circuit */
    default void circuitOpened(Throwable lastFailure) {
    }

    /** The open period ended; one trial create runs next. */
    default void circuitHalfOpen() {
    }

    /** A create succeeded; the circuit is closed again. */
    default void circuitClosed() {
    }
}
