package io.poolkit.session.internal.worker;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * What an execution leaves held past the reset that follows it, in a worker the host resets between uses.
 * A reset drops the JShell state, but not what a snippet hung on a registry of the JDK (a handler on the
 * root logger, a JDBC driver, an MBean): that stays reachable, and with it everything it holds. Measured
 * against the real sandbox, each of these on a logging handler in a 128 MiB worker denied the next caller
 * what a fresh worker gives it: 90 MiB of heap (its 40 MB allocation ended the worker), 60 MiB of direct
 * buffers (its 8 MiB direct buffer: {@code OutOfMemoryError}), classes filling the metaspace to 2 MiB of its
 * cap (parsing a small XML document ended the worker: {@code Metaspace}), 60 MiB of files in the 64 MiB
 * {@code /tmp} kept open (the reset unlinks them, the space stays taken: its 8 MB file, "No space left on
 * device"), and all descriptors but two (its ten open files ended the worker). Such a worker is retired
 * instead, told like a leftover thread: the verdict travels in the execution's RESULT, and the host
 * recycles the session.
 *
 * <p>The rule, for each resource: after a full collection, with the execution's JShell state and the
 * JVM-wide settings a reset puts back already dropped (the files in the sandbox's {@code /tmp} deleted),
 * what is in use may exceed the worker's baseline by at most a third of its limit ({@link #SHARE_DIVISOR}):
 * the heap ({@code -Xmx}), direct buffers ({@code -XX:MaxDirectMemorySize}), the metaspace
 * ({@code -XX:MaxMetaspaceSize}), the sandbox's {@code /tmp} (its size) and the open descriptors
 * ({@code RLIMIT_NOFILE}). The baselines are measured once, after the warm-up and a full collection, with
 * the first caller's shell and the next one ready (one shell more than remains after a drop).
 *
 * <p>Cheap on the common path: what is in use, garbage included, bounds what is held, so while each is
 * within its allowance (reads of {@link Runtime}, the JVM's pools, {@code /tmp}'s file store and
 * {@code /proc/self/fd}) nothing more is done. Above one the worker drops the state, collects
 * ({@link System#gc()}) and measures again, waiting at most {@link #SETTLE_MILLIS} for the JDK's cleaners to
 * free the direct buffers and close the files the collection found unreachable: tens of milliseconds, on
 * the execution that crossed the line. JShell leaves much garbage (tens of MiB per execution with a reset,
 * some of it promoted), so in a 128 MiB worker that is about one trivial execution in six; each such
 * collection also spares the one the JVM would soon have made on its own (measured in the module's README).
 *
 * <p>What it does not see: native memory outside these pools, which the limits bound and a reset does not
 * give back; softly reachable objects count as reachable (a collection may keep them), which can only
 * retire a worker, never keep one. A worker that lies here (says nothing, or too much) only keeps or
 * retires itself.
 */
final class RetainedResources {
    /** The allowance over the baseline is each limit divided by this: a third. */
    static final int SHARE_DIVISOR = 3;
    /** Set by the host for a worker it resets between uses; read at start, before any snippet could change it. */
    static final String PROPERTY = "poolkit.session.resetBetweenUses";
    /** The longest the check waits after its collection for the JDK's cleaners (direct buffers, files). */
    static final long SETTLE_MILLIS = 500;

    /** One resource: how to read it, its baseline and its allowance. */
    private record Measure(String what, String unit, long scale, LongSupplier reading, long baseline, long allowance) {
        long over() {
            return reading.getAsLong() - baseline;
        }

        boolean within() {
            return over() <= allowance;
        }

        String verdict() {
            return what + ": " + (over() / scale) + " " + unit + " still held past the reset, over the worker's baseline of "
                    + (baseline / scale) + " " + unit + " (at most " + (allowance / scale) + " " + unit + ", 1/" + SHARE_DIVISOR
                    + " of the limit, may stay)";
        }
    }

    private final List<Measure> measures;

    private RetainedResources(List<Measure> measures) {
        this.measures = measures;
    }

    /** @return whether the host resets this worker between uses, so it checks what executions leave */
    static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    /**
     * @param sandboxed whether /tmp is the worker's own (the sandbox's, emptied by every reset)
     * @return the check for this worker, its baselines measured now (after a full collection)
     */
    static RetainedResources atStart(boolean sandboxed) {
        System.gc();
        List<Measure> m = new ArrayList<>();
        add(m, "heap", "MiB", 1 << 20, RetainedResources::heapUsed, Runtime.getRuntime().maxMemory());
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                add(m, "direct buffers", "MiB", 1 << 20, b::getMemoryUsed, maxDirect());
            }
        }
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getName().equals("Metaspace") && p.getUsage().getMax() > 0) {
                add(m, "metaspace", "MiB", 1 << 20, () -> p.getUsage().getUsed(), p.getUsage().getMax());
            }
        }
        if (sandboxed) {
            try {
                FileStore tmp = Files.getFileStore(Path.of("/tmp"));
                add(m, "/tmp space (files held open)", "MiB", 1 << 20, () -> tmpUsed(tmp), tmp.getTotalSpace());
            } catch (IOException e) {
                WorkerMain.halt(2, "cannot read the size of /tmp: " + e);
            }
        }
        long files = maxOpenFiles();
        if (files > 0) {
            add(m, "open descriptors", "descriptors", 1, RetainedResources::openDescriptors, files);
        }
        return new RetainedResources(List.copyOf(m));
    }

    private static void add(List<Measure> m, String what, String unit, long scale, LongSupplier reading, long limit) {
        long baseline = reading.getAsLong();
        m.add(new Measure(what, unit, scale, reading, baseline, limit / SHARE_DIVISOR));
    }

    private static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** {@code -XX:MaxDirectMemorySize} as the host gave it, else the JDK's default (the heap's bound). */
    private static long maxDirect() {
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:MaxDirectMemorySize=")) {
                try {
                    return Long.parseLong(a.substring(a.indexOf('=') + 1));
                } catch (NumberFormatException e) {
                    break; // a size with a unit: the host passes bytes
                }
            }
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** Bytes in use on /tmp's file system; when it cannot be read, all of it (retires the worker). */
    private static long tmpUsed(FileStore tmp) {
        try {
            return tmp.getTotalSpace() - tmp.getUnallocatedSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    /** The descriptors open in this process (the listing's own included); when none is left to list them, a lot. */
    private static long openDescriptors() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException | RuntimeException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** The soft {@code RLIMIT_NOFILE} from /proc/self/limits, or 0 where there is none to read. */
    private static long maxOpenFiles() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? 0 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /**
     * @param drop drops what the reset would: the JShell state and the JVM-wide settings (it follows anyway)
     * @return why the worker must not serve another caller, or null
     */
    String check(Runnable drop) {
        if (allWithin()) {
            return null;
        }
        drop.run();
        System.gc();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
        while (!allWithin() && System.nanoTime() - deadline < 0) { // the cleaners free direct buffers and close files
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        List<String> held = new ArrayList<>();
        for (Measure m : measures) {
            if (!m.within()) {
                held.add(m.verdict());
            }
        }
        return held.isEmpty() ? null : String.join("; ", held);
    }

    private boolean allWithin() {
        for (Measure m : measures) {
            if (!m.within()) {
                return false;
            }
        }
        return true;
    }
}
