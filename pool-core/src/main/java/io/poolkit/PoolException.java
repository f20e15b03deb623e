package io.poolkit;

/**
 * The root of every exception a pool throws on its own account. Unchecked: a caller that wants to
 * tell them apart catches the subclasses. Messages read
 * {@code <pool name> - <what failed> (size=, idle=, leased=, waiting=)}, plus a hint.
 */
public class PoolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the underlying failure, or {@code null}
     */
    public PoolException(String message, Throwable cause) {
        super(message, cause);
    }

    /** @param message what failed */
    public PoolException(String message) {
        super(message);
    }
}
