package io.poolkit;

/**
 * A source of nanosecond time for a pool, injectable so that tests move time themselves instead of
 * sleeping. Only differences between two readings mean anything (as with {@link System#nanoTime()}).
 */
@FunctionalInterface
public interface Ticker {

    /** @return the current time in nanoseconds, from an arbitrary origin */
    long read();

    /**
     * The system ticker, {@link System#nanoTime()}. Pools using it read time on their fast path
     * from a shared coarse clock advanced about every 10 ms.
     *
     * @return the system ticker
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}

/** The one system ticker instance, recognised by the pool to use its coarse clock. */
enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long read() {
        return System.nanoTime();
    }
}
