package io.poolkit.session.internal.worker;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;

/**
 * Whether snippet work may still be pending on an executor the JDK shares, whose threads an execution
 * did not start: such a task leaves no new thread behind, so the leftover-thread rule alone would let
 * it act during a later caller's execution (interrupt its threads, change its system properties).
 *
 * <p>What is checked, after each execution, in a few field reads: the common {@link ForkJoinPool}
 * (queued submissions, queued tasks, active threads, and on JDK 25+ its delayed tasks, where
 * {@code CompletableFuture.delayedExecutor} keeps them); and whether the delay scheduler of
 * {@code CompletableFuture} (JDK 17 to 24: a private executor whose queue cannot be read) is alive
 * though this execution did not start it. The worker itself never uses either, so any work there is
 * a snippet's. What is not covered is listed in the module's README (the JDK's own registries).
 *
 * <p>Not the pool's "running" count: it is an estimate of the workers not blocked, and counts an idle
 * worker between its last look for work and its park, so it reads 1 for a moment after the pool went
 * quiet. The active count does not see everything either: a task blocked in
 * {@code ForkJoinPool.managedBlock} (a {@code CompletableFuture.get} on a pool thread) has the pool start
 * a spare, which parks and takes the blocked one's place in the count, so it reads 0 (seen on JDK 17 and
 * 25, parallelism 1). Such a task holds pool threads, and the worker starts none: they are new threads of
 * the execution, which the leftover-thread rule reports.
 */
final class SharedExecutors {
    /** The thread of CompletableFuture's delay scheduler on JDK 17 to 24. */
    static final String DELAYER_THREAD = "CompletableFutureDelayScheduler";
    /** {@code ForkJoinPool.getDelayedTaskCount()}, public from JDK 25 on; null before. */
    private static final Method DELAYED_TASK_COUNT = delayedTaskCount();

    private SharedExecutors() {
    }

    private static Method delayedTaskCount() {
        try {
            return ForkJoinPool.class.getMethod("getDelayedTaskCount");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /**
     * @param before the threads alive when the execution started
     * @return why snippet work may be pending on a shared executor, one entry each; empty when none may be
     */
    static List<String> pending(Set<Thread> before) {
        List<String> why = new ArrayList<>();
        ForkJoinPool common = ForkJoinPool.commonPool();
        long submissions = common.getQueuedSubmissionCount();
        long tasks = common.getQueuedTaskCount();
        int active = common.getActiveThreadCount();
        long delayed = delayed(common);
        if (submissions != 0 || tasks != 0 || active != 0 || delayed != 0) {
            why.add("work on the common ForkJoinPool (" + submissions + " queued submissions, " + tasks + " queued tasks, "
                    + active + " active threads, " + (delayed < 0 ? "delayed tasks unknown" : delayed + " delayed")
                    + ")");
        }
        for (Thread t : before) {
            if (t.isAlive() && DELAYER_THREAD.equals(t.getName())) {
                why.add("CompletableFuture's delay scheduler, which the worker did not start and whose queue cannot be read");
            }
        }
        return why;
    }

    /** The common pool's delayed tasks: 0 before JDK 25 (none there), -1 when the count cannot be read. */
    private static long delayed(ForkJoinPool common) {
        if (DELAYED_TASK_COUNT == null) {
            return 0;
        }
        try {
            return ((Number) DELAYED_TASK_COUNT.invoke(common)).longValue();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }
}
