package io.poolkit.bench.pools;

import com.zaxxer.hikari.util.ConcurrentBag.IConcurrentBagEntry;
import io.poolkit.bench.Res;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** An entry of HikariCP's {@code ConcurrentBag}: the object, its bag state, and HikariPool's timestamps. */
public final class BagEntry implements IConcurrentBagEntry {
    private static final AtomicIntegerFieldUpdater<BagEntry> STATE =
            AtomicIntegerFieldUpdater.newUpdater(BagEntry.class, "state");

    /** The pooled object. */
    public final Res res;
    private volatile int state;
    /** {@link System#nanoTime()} of the last return (HikariPool's {@code lastAccessed}). */
    long lastAccessedNanos;

    /** @param res the pooled object */
    public BagEntry(Res res) {
        this.res = res;
        this.lastAccessedNanos = res.bornNanos();
    }

    @Override
    public boolean compareAndSet(int expect, int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    @Override
    public void setState(int update) {
        STATE.set(this, update);
    }

    @Override
    public int getState() {
        return state;
    }
}
