package io.poolkit.session.internal.worker;

/**
 * Heap an execution leaves reachable past the reset that follows it, in a worker the host resets between
 * uses. A reset drops the JShell state, but not what a snippet hung on a registry of the JDK (a handler on
 * the root logger, a JDBC driver, an MBean): that stays reachable, and 90 MiB left on a logging handler in a
 * 128 MiB worker made the next caller's 40 MB allocation end the worker. Such a worker is retired instead,
 * told like a leftover thread: the verdict travels in the execution's RESULT, and the host recycles the session.
 *
 * <p>The rule: after a full collection, with the execution's JShell state and the JVM-wide settings a reset
 * puts back already dropped, the heap in use may exceed the worker's baseline by at most a third of its heap
 * limit ({@link #SHARE_DIVISOR}). The baseline is measured once, after the warm-up and a full collection,
 * with the first caller's shell and the next one ready (one shell more than remains after a drop). The next
 * caller so has at least two thirds of the heap less that baseline (with 128 MiB: about 47 MiB).
 *
 * <p>Cheap on the common path: the heap in use, garbage included, bounds what is reachable, so while it is
 * within the allowance (two reads of {@link Runtime}) nothing more is done. Above it the worker drops the
 * state, collects ({@link System#gc()}) and measures again: tens of milliseconds, on the execution that
 * crossed the line. JShell leaves much garbage (tens of MiB per execution with a reset, some of it promoted),
 * so in a 128 MiB worker that is about one trivial execution in six; each such collection also spares the
 * one the JVM would soon have made on its own (measured in the module's README).
 *
 * <p>What it does not see: memory outside the heap (direct buffers, metaspace, native memory), which the
 * limits bound and a reset does not give back; softly reachable objects count as reachable (a collection
 * may keep them), which can only retire a worker, never keep one. A worker that lies here (says nothing,
 * or too much) only keeps or retires itself.
 */
final class RetainedHeap {
    /** The allowance over the baseline is the heap limit divided by this: a third. */
    static final int SHARE_DIVISOR = 3;
    /** Set by the host for a worker it resets between uses; read at start, before any snippet could change it. */
    static final String PROPERTY = "poolkit.session.resetBetweenUses";

    private final long baseline;
    private final long allowance;

    private RetainedHeap(long baseline, long allowance) {
        this.baseline = baseline;
        this.allowance = allowance;
    }

    /** @return whether the host resets this worker between uses, so it checks what executions leave */
    static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** @return the check for this worker, its baseline measured now (after a full collection) */
    static RetainedHeap atStart() {
        System.gc();
        return new RetainedHeap(used(), Runtime.getRuntime().maxMemory() / SHARE_DIVISOR);
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /**
     * @param drop drops what the reset would: the JShell state and the JVM-wide settings (it follows anyway)
     * @return why the worker must not serve another caller, or null
     */
    String check(Runnable drop) {
        if (used() - baseline <= allowance) {
            return null;
        }
        drop.run();
        System.gc();
        long over = used() - baseline;
        if (over <= allowance) {
            return null;
        }
        return mib(over) + " MiB of heap still reachable past the reset, over the worker's baseline of " + mib(baseline)
                + " MiB (at most " + mib(allowance) + " MiB, 1/" + SHARE_DIVISOR + " of the heap, may stay)";
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
