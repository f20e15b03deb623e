package io.poolkit.session.internal.worker;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.management.NotificationEmitter;

/**
 * The JVM's "Notification Thread", taken by the worker at start and held for good, so that no snippet's
 * listener for the memory notifications ({@code MemoryMXBean}: a pool's usage past a threshold) ever runs.
 *
 * <p>Why: that thread calls the listeners after a collection, which can be during the next caller's
 * execution (javac's own garbage is enough), on a thread that was there before and, once the listener has
 * returned, runs no snippet code: no check of the worker's sees it. Before this, a snippet's listener set a
 * system property during the next caller's execution, after {@code resetBetweenUses} had put them back.
 * The cost: no memory notification reaches anyone in the worker (the worker uses none). {@link NativeGuard}
 * keeps snippets from stopping the held thread where a security manager exists (JDK 17 to 23); from JDK 20
 * no thread can be stopped, and an interrupt only wakes the park (the flag is cleared before each park: left
 * set, every park returned at once and a snippet's interrupt had the held thread spin on a core for the rest
 * of the worker's life, JDK 25).
 */
final class NotificationTrap {
    private NotificationTrap() {
    }

    /**
     * Registers a listener that never returns, and collects until the Notification Thread calls it.
     *
     * @return the Notification Thread, now held; null when it did not come within {@code timeoutMillis}, or
     *     when the JVM has no {@code java.management} (then no snippet can listen either)
     */
    static Thread take(long timeoutMillis) throws InterruptedException {
        Module management = ModuleLayer.boot().findModule("java.management").orElse(null);
        if (management == null) {
            return null;
        }
        NotificationTrap.class.getModule().addReads(management); // the worker's descriptor requires jdk.jshell only
        CountDownLatch taken = new CountDownLatch(1);
        Thread[] thread = new Thread[1];
        ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener((n, h) -> {
            thread[0] = Thread.currentThread();
            taken.countDown();
            for (;;) {
                Thread.interrupted(); // else a snippet's interrupt (JDK 24+: no security manager refuses it) leaves every park returning at once
                LockSupport.park(NotificationTrap.class);
            }
        }, null, null);
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(MemoryPoolMXBean::isCollectionUsageThresholdSupported).toList();
        pools.forEach(p -> p.setCollectionUsageThreshold(1));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            while (!taken.await(10, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() - deadline > 0) {
                    return null;
                }
                System.gc();
            }
        } finally {
            pools.forEach(p -> p.setCollectionUsageThreshold(0));
        }
        return thread[0];
    }

    /** Whether the JVM has the module whose thread this takes. */
    static boolean needed() {
        return ModuleLayer.boot().findModule("java.management").isPresent();
    }
}
