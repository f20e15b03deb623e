package io.poolkit.internal;

/**
 * Where and when one lease was acquired, published with a volatile write so maintenance can read
 * it from another thread; {@link #word} ties it to that lease and no later one.
 */
final class LeakInfo {
    private final long word;
    private final long leasedAt;
    private final Throwable acquiredAt;
    /** Written and read by maintenance only. */
    boolean reported;

    LeakInfo(long word, long leasedAt, Throwable acquiredAt) {
        this.word = word;
        this.leasedAt = leasedAt;
        this.acquiredAt = acquiredAt;
    }

    long word() {
        return word;
    }

    long leasedAt() {
        return leasedAt;
    }

    Throwable acquiredAt() {
        return acquiredAt;
    }
}
