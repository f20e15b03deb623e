package io.poolkit.session.internal.worker;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The live platform threads as the JVM lists them ({@link ThreadMXBean#getAllThreadIds()}: one snapshot of
 * its thread list), for the second listing of the leftover-thread rule.
 *
 * <p>Why not the thread groups: on JDK 17 and 18 a snippet can hide a group from them. A group whose
 * {@code destroy()} fails on a subgroup that still has a thread is left marked destroyed, still in its
 * parent but with its subgroups dropped, so an enumeration from the root no longer reaches that subgroup
 * or its threads. A relay of short-lived threads (each starts the next and ends) in such a group got
 * past the rule: the link in the first listing ended in the grace, and the second listing saw none.
 * Not {@code Thread.getAllStackTraces()} either: it leaves out a thread that ends between its listing
 * and its stack dump, so at a hand-over it can show no link of a relay. In one snapshot of the JVM's
 * list a relay always has a link (each is listed from its start until it ends, and starts the next
 * before it ends).
 */
final class LiveThreads {
    /** Taken at the worker's start, before any snippet runs; null when the JVM has no java.management. */
    private static volatile ThreadMXBean threads;

    private LiveThreads() {
    }

    /** Called once at start, before any snippet runs; adds this module's read of java.management (the descriptor requires jdk.jshell only). */
    static void init() {
        Module management = ModuleLayer.boot().findModule("java.management").orElse(null);
        if (management == null) {
            return;
        }
        LiveThreads.class.getModule().addReads(management);
        threads = ManagementFactory.getThreadMXBean();
    }

    /** @return the ids of the live platform threads, sorted; null when they cannot be listed this way */
    static long[] ids() {
        ThreadMXBean t = threads;
        if (t == null) {
            return null;
        }
        long[] ids = t.getAllThreadIds();
        Arrays.sort(ids);
        return ids;
    }

    /**
     * @param before the ids of {@link #ids()} at the execution's start (sorted)
     * @return a description of each live thread not among {@code before}; null when they cannot be listed this way
     */
    static List<String> startedSince(long[] before) {
        long[] now = ids();
        if (now == null || before == null) {
            return null;
        }
        List<String> started = new ArrayList<>();
        for (long id : now) {
            if (Arrays.binarySearch(before, id) < 0) {
                ThreadInfo info = threads.getThreadInfo(id);
                // ended since the snapshot: listed all the same, it was alive after the grace
                started.add("thread '" + (info == null ? "#" + id : info.getThreadName()) + "'");
            }
        }
        return started;
    }
}
