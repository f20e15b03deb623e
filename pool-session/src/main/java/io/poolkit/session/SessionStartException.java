package io.poolkit.session;

/**
 * A worker could not be started: the JVM did not come up, did not connect in time, or the
 * sandbox cannot be set up ({@link SandboxUnavailableException}). The message says what failed and
 * carries the worker's own diagnostics when it printed any.
 */
public class SessionStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the underlying failure, or null
     */
    public SessionStartException(String message, Throwable cause) {
        super(message, cause);
    }

    /** @param message what failed */
    public SessionStartException(String message) {
        super(message);
    }
}
