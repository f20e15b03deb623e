package io.poolkit.timing;

import io.poolkit.Ticker;
import io.poolkit.testkit.TestFactory.Behaviour;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Factory hook behaviours the timing tests need beyond the test kit's own. */
final class Behaviours {
    private Behaviours() {
    }

    /** {@code first} on the first call only, then normal. */
    static Behaviour once(Behaviour first) {
        AtomicBoolean used = new AtomicBoolean();
        return () -> {
            if (used.compareAndSet(false, true)) {
                first.apply();
            }
        };
    }

    /** Fails the first {@code times} calls (with a fresh exception each, kept in {@code last}), then normal. */
    static Behaviour failTimes(int times, String message, AtomicReference<Exception> last) {
        AtomicInteger calls = new AtomicInteger();
        return () -> {
            int n = calls.incrementAndGet();
            if (n <= times) {
                IllegalStateException e = new IllegalStateException(message + " #" + n);
                last.set(e);
                throw e;
            }
        };
    }

    /** Always fails, with a fresh exception each call, the latest kept in {@code last}. */
    static Behaviour alwaysFailing(String message, AtomicReference<Exception> last) {
        return failTimes(Integer.MAX_VALUE, message, last);
    }

    /**
     * Blocks until {@code release} counts down (at most a minute), ignoring interrupts as a
     * misbehaving driver would: each interrupt is counted, the interrupted thread recorded, and the
     * flag restored when the call finally returns normally.
     */
    static Behaviour stallIgnoringInterrupts(CountDownLatch release, AtomicInteger interrupts, Set<Thread> interrupted) {
        return () -> {
            boolean wasInterrupted = false;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            for (;;) {
                long left = deadline - System.nanoTime();
                try {
                    if (release.await(Math.max(0, left), TimeUnit.NANOSECONDS) || left <= 0) {
                        break;
                    }
                } catch (InterruptedException e) {
                    wasInterrupted = true;
                    interrupts.incrementAndGet();
                    interrupted.add(Thread.currentThread());
                }
            }
            if (wasInterrupted) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /** Records, for each call, whether the calling thread's interrupt flag was set on entry. */
    static Behaviour recordingInterruptFlag(List<Boolean> flags) {
        return () -> flags.add(Thread.currentThread().isInterrupted());
    }

    /** Records the ticker's reading at each call. */
    static Behaviour recordingTime(Ticker ticker, List<Long> times) {
        return () -> times.add(ticker.read());
    }

    /** Runs {@code a} then {@code b}. */
    static Behaviour both(Behaviour a, Behaviour b) {
        return () -> {
            a.apply();
            b.apply();
        };
    }
}
