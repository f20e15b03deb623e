package io.poolkit;

/**
 * An acquire waited its whole timeout without getting a resource. While creates have been failing
 * with no success since, the cause is the last creation failure, so "pool exhausted" and "backend
 * down" read differently.
 */
public class PoolTimeoutException extends PoolException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with the pool's counts
     * @param cause the last creation failure, or {@code null} when creates are not failing
     */
    public PoolTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
