package io.poolkit;

/** Why a pool destroyed a resource; counted per reason in {@link PoolStats#destroyedByReason()}. */
public enum DestroyReason {
    /** Idle longer than {@code idleTimeout} while the pool held more than {@code minIdle}. */
    IDLE_TIMEOUT,
    /** Older than its {@code maxLifetime} (less its jitter). */
    LIFETIME,
    /** Leased {@code maxUses} times. */
    MAX_USES,
    /** A validation returned false, threw, or overran its bound. */
    VALIDATION_FAILED,
    /** The holder called {@link Lease#invalidate()}, or its work failed in a way {@code invalidateOn} matched. */
    INVALIDATED,
    /**
     * The reset on return threw or overran {@code validationTimeout}, or the holder's own reset
     * failed ({@link Lease#resetFailed()}: a JDBC connection whose rollback failed on return).
     */
    RESET_FAILED,
    /** {@link Pool#evictIdle()} (idle ones at once, leased ones on return). */
    EVICTED,
    /** A keyed pool at {@code maxTotal} made room for a waiter of another key. */
    EVICTED_FOR_KEY,
    /** {@link Pool#resize(int)} lowered the capacity below the current size. */
    SHRUNK,
    /** {@code create()} returned after {@code createTimeout}: the late resource is closed at once. */
    CREATE_TIMEOUT,
    /** The pool shut down. */
    SHUTDOWN
}
