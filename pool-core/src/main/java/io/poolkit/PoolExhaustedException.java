package io.poolkit;

/** An acquire was refused at once because {@code maxWaiters} callers were already waiting (load shedding). */
public class PoolExhaustedException extends PoolException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the pool's counts */
    public PoolExhaustedException(String message) {
        super(message);
    }
}
