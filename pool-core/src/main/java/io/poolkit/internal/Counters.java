package io.poolkit.internal;

import io.poolkit.DestroyReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The totals of a pool that change only on slow paths (create, destroy, wait, failure). Leases are
 * counted per slot instead ({@link Slot#leases}), so the fast path shares no counter.
 */
final class Counters {
    final LongAdder created = new LongAdder();
    final AtomicLongArray destroyed = new AtomicLongArray(DestroyReason.values().length);
    final LongAdder timeouts = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder createFailures = new LongAdder();
    final LongAdder leaksSuspected = new LongAdder();
    final LongAdder waitNanos = new LongAdder();
    final AtomicLong maxWaitNanos = new AtomicLong();

    void destroyed(DestroyReason reason) {
        destroyed.incrementAndGet(reason.ordinal());
    }

    long destroyedTotal() {
        long sum = 0;
        for (int i = 0; i < destroyed.length(); i++) {
            sum += destroyed.get(i);
        }
        return sum;
    }

    Map<DestroyReason, Long> destroyedByReason() {
        Map<DestroyReason, Long> map = new EnumMap<>(DestroyReason.class);
        for (DestroyReason r : DestroyReason.values()) {
            map.put(r, destroyed.get(r.ordinal()));
        }
        return map;
    }

    void waited(long nanos) {
        waitNanos.add(nanos);
        maxWaitNanos.accumulateAndGet(nanos, Math::max);
    }
}
