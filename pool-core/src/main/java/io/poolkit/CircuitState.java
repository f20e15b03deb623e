package io.poolkit;

/** The state of a pool's create circuit breaker; see {@link PoolBuilder#circuitBreaker}. */
public enum CircuitState {
    /** Creates run normally. */
    CLOSED,
    /** Creates failed too often: acquires that would need a create fail fast. */
    OPEN,
    /** The open period ended: one trial create decides between CLOSED and OPEN. */
    HALF_OPEN
}
