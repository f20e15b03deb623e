package io.poolkit.bench;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The object every pool in the benchmarks hands out: small, created at once, and touched on every
 * use so the work is never dead code. The time fields serve the anchors that have no lifetime or
 * idle tracking of their own (their hooks read and write them, as a user of that pool would); they
 * are plain fields because every pool orders a return before the next lease of the same object.
 */
public final class Res {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final int id = IDS.incrementAndGet();
    private final long bornNanos = System.nanoTime();
    private long lastUsedNanos = bornNanos;
    private int uses;

    /** @return something that depends on this object's state, for the benchmark to return */
    public int use() {
        return ++uses + id;
    }

    /** @return the cheap health check the validators call; always true here */
    public boolean isValid() {
        return uses >= 0;
    }

    /** @return {@link System#nanoTime()} at creation */
    public long bornNanos() {
        return bornNanos;
    }

    /** @return when the object was last returned (or created), in {@link System#nanoTime()} */
    public long lastUsedNanos() {
        return lastUsedNanos;
    }

    /** @param nanos when the object was returned, in {@link System#nanoTime()} */
    public void lastUsedNanos(long nanos) {
        lastUsedNanos = nanos;
    }
}
