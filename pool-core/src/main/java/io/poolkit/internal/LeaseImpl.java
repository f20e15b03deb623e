package io.poolkit.internal;

import io.poolkit.DestroyReason;
import io.poolkit.Lease;
import java.time.Duration;

/**
 * A lease: the slot plus the exact word it was issued with. Immutable, so a stale copy can never
 * act on a later lease of the same slot: every operation first compares the slot's word.
 */
final class LeaseImpl<T> implements Lease<T> {
    private final CorePool<T> pool;
    private final Slot<T> slot;
    private final long word;
    private final long leasedAt;

    LeaseImpl(CorePool<T> pool, Slot<T> slot, long word, long leasedAt) {
        this.pool = pool;
        this.slot = slot;
        this.word = word;
        this.leasedAt = leasedAt;
    }

    @Override
    public T get() {
        if (!slot.isLeasedBy(word)) {
            throw new IllegalStateException(pool.diagnostics.useAfterClose(slot, word));
        }
        return slot.resource;
    }

    @Override
    public void close() {
        pool.release(slot, word, leasedAt);
    }

    @Override
    public void invalidate() {
        pool.invalidate(slot, word, leasedAt, DestroyReason.INVALIDATED);
    }

    @Override
    public void resetFailed() {
        pool.invalidate(slot, word, leasedAt, DestroyReason.RESET_FAILED);
    }

    @Override
    public Duration held() {
        return Duration.ofNanos(Math.max(0, pool.clock.coarse() - leasedAt));
    }

    @Override
    public boolean isRetiring() {
        return pool.isRetiring(slot, word);
    }

    @Override
    public String toString() {
        return "Lease[" + pool.name + ", " + slot + (slot.isLeasedBy(word) ? ", held " + Durations.describe(held()) : ", closed") + "]";
    }
}
