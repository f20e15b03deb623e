package io.poolkit;

/** The pool is shut down (or shutting down): it hands out nothing more. */
public class PoolClosedException extends PoolException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed */
    public PoolClosedException(String message) {
        super(message);
    }
}
