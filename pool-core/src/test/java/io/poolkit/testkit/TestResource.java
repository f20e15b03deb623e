package io.poolkit.testkit;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pooled object for tests that notices misuse: {@link #enter()} fails if two holders use it at
 * once, and {@link #destroyed()} tells whether the pool closed it.
 */
public final class TestResource {
    private final int id;
    private final AtomicInteger holders = new AtomicInteger();
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicInteger validations = new AtomicInteger();
    private volatile boolean healthy = true;

    public TestResource(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** Marks the start of a use; throws if another holder is using it, or it was destroyed. */
    public void enter() {
        if (destroyed.get()) {
            throw new AssertionError("resource " + id + " used after the pool destroyed it");
        }
        int n = holders.incrementAndGet();
        if (n != 1) {
            holders.decrementAndGet();
            throw new AssertionError("resource " + id + " held by " + n + " leases at once");
        }
    }

    public void exit() {
        holders.decrementAndGet();
    }

    /** Use it exclusively for a moment: enter, exit. */
    public void touch() {
        enter();
        exit();
    }

    boolean markDestroyed() {
        return destroyed.compareAndSet(false, true);
    }

    public boolean destroyed() {
        return destroyed.get();
    }

    public boolean healthy() {
        return healthy;
    }

    public void breakIt() {
        healthy = false;
    }

    public int resets() {
        return resets.get();
    }

    void reset() {
        resets.incrementAndGet();
    }

    public int validations() {
        return validations.get();
    }

    void validated() {
        validations.incrementAndGet();
    }

    @Override
    public String toString() {
        return "TestResource#" + id;
    }
}
