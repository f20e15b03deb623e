package io.poolkit.session.internal.worker;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * JDK 17 only: the JVM's finalizer thread, taken by the worker at start and held for good, so that
 * no snippet's {@code finalize()} ever runs. From JDK 18 the worker runs with
 * {@code --finalization=disabled} instead; JDK 17 has no such flag.
 *
 * <p>Why: a finalizer runs whenever a collection finds its object, which can be during the next
 * caller's execution, on a thread the worker's checks do not follow. Before this, a snippet's
 * finalizer replaced {@code System.out} during the next execution, and that caller's output came
 * back rewritten, with {@code resetBetweenUses} too. The cost: an object of a class with a
 * finalizer is never finalized and so never freed in this worker (few JDK 17 classes still have
 * one; a worker that fills its heap with them ends with {@code LIMIT} and is replaced).
 * {@link NativeGuard} keeps snippets from stopping the held thread.
 */
final class FinalizerTrap {
    private static final CountDownLatch TAKEN = new CountDownLatch(1);
    private static volatile Thread thread;

    private FinalizerTrap() {
    }

    /**
     * Leaves one object of this class for the finalizer and collects until the finalizer thread runs
     * its {@code finalize()}, which never returns.
     *
     * @return the finalizer thread, now held; null when it did not come within {@code timeoutMillis}
     */
    static Thread take(long timeoutMillis) throws InterruptedException {
        new FinalizerTrap();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!TAKEN.await(10, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() - deadline > 0) {
                return null;
            }
            System.gc();
        }
        return thread;
    }

    @Override
    @SuppressWarnings({"deprecation", "removal"})
    protected void finalize() {
        thread = Thread.currentThread();
        TAKEN.countDown();
        for (;;) {
            Thread.interrupted(); // a park returns at once while the flag is set: cleared, so an interrupt only wakes it
            LockSupport.park(this); // NativeGuard refuses Thread.stop and interrupt on this thread
        }
    }
}
