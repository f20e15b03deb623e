package io.poolkit.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition that background work will make true, with a bound; never a bare sleep. */
public final class Await {
    private Await() {
    }

    /** Polls {@code condition} every millisecond until it holds; fails with {@code what} after {@code bound}. */
    public static void until(Duration bound, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not true within " + bound + ": " + what.get());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    public static void until(BooleanSupplier condition, Supplier<String> what) {
        until(Duration.ofSeconds(10), condition, what);
    }
}
