package io.poolkit;

/**
 * An acquire that needed a new resource failed fast because the pool's circuit breaker is open
 * after repeated create failures; the cause is the last of them.
 */
public class CircuitOpenException extends PoolException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with the pool's counts
     * @param cause the last creation failure
     */
    public CircuitOpenException(String message, Throwable cause) {
        super(message, cause);
    }
}
