package io.poolkit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Every acquire of one benchmark thread, timed, during measurement iterations only: the count, the
 * worst, and how many took 1 ms or more, more than 8 ms (DESIGN's tail target counts those) and 10 ms
 * or more. At the end of the trial each thread
 * appends one JSON line to the file named by the system property {@value #LOG_PROPERTY} (set by
 * {@link BenchMain}); the report merges the threads and forks of one benchmark.
 */
@State(Scope.Thread)
public class AcquireWaits {
    /** The system property naming the JSON-lines file the forks append to. */
    public static final String LOG_PROPERTY = "poolbench.acquireLog";
    private static final Object FILE_LOCK = new Object();
    private static final long MS = 1_000_000L;

    private boolean measuring;
    private long count;
    private long worst;
    private long atLeast1ms;
    private long over8ms;
    private long atLeast10ms;

    /**
     * Keeps only the measurement iterations' figures: the first one starts from zero. {@link #record}
     * counts in warm-up too, so that its code is the same, compiled, before and after: while it counted
     * only when measuring, its branch was never taken in warm-up, and the JIT compiled it as an
     * uncommon trap; the first measured acquire of every fork deoptimized the benchmark method, which
     * then ran interpreted and in C1 (where no allocation is eliminated: poolkit's lease objects were
     * allocated) while C2 compiled it again, at the start of the measurement. That cost every fork a
     * recompilation and, for poolkit, the young collection (a safepoint of 5-16 ms) that its
     * allocations there brought into the measured window.
     *
     * @param iteration the iteration about to run
     */
    @Setup(Level.Iteration)
    public void begin(IterationParams iteration) {
        if (iteration.getType() == IterationType.MEASUREMENT && !measuring) {
            measuring = true;
            count = 0;
            worst = 0;
            atLeast1ms = 0;
            over8ms = 0;
            atLeast10ms = 0;
        }
    }

    /** @param nanos how long one acquire took */
    public void record(long nanos) {
        count++;
        if (nanos > worst) {
            worst = nanos;
        }
        if (nanos >= MS) {
            atLeast1ms++;
            if (nanos > 8 * MS) {
                over8ms++;
                if (nanos >= 10 * MS) {
                    atLeast10ms++;
                }
            }
        }
    }

    /**
     * Appends this thread's figures to the log.
     *
     * @param benchmark the benchmark and its parameters
     */
    @TearDown(Level.Trial)
    public void report(BenchmarkParams benchmark) {
        String file = System.getProperty(LOG_PROPERTY);
        if (file == null || file.isEmpty()) {
            return;
        }
        Map<String, String> params = new TreeMap<>();
        for (String key : benchmark.getParamsKeys()) {
            params.put(key, benchmark.getParam(key));
        }
        StringBuilder json = new StringBuilder(256);
        json.append("{\"benchmark\":\"").append(benchmark.getBenchmark()).append('"')
                .append(",\"threads\":").append(benchmark.getThreads())
                .append(",\"params\":{");
        String sep = "";
        for (Map.Entry<String, String> e : params.entrySet()) {
            json.append(sep).append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
            sep = ",";
        }
        json.append("},\"count\":").append(count)
                .append(",\"worstNanos\":").append(worst)
                .append(",\"atLeast1ms\":").append(atLeast1ms)
                .append(",\"over8ms\":").append(over8ms)
                .append(",\"atLeast10ms\":").append(atLeast10ms)
                .append("}\n");
        synchronized (FILE_LOCK) {
            try {
                Files.writeString(Path.of(file), json.toString(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to " + file, e);
            }
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "AcquireWaits[count=%d, worst=%d ns]", count, worst);
    }
}
