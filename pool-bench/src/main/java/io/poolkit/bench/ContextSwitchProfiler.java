package io.poolkit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.runner.IterationType;

/**
 * Context switches of the benchmark JVM per operation, per measurement iteration. This VM has no
 * hardware or software counters for {@code perf}, and JMH has no profiler for them, so it reads
 * what Linux keeps per thread: {@code voluntary_ctxt_switches} (the thread blocked: a park, a
 * sleep, a lock) and {@code nonvoluntary_ctxt_switches} (it was preempted) from
 * {@code /proc/self/task/<tid>/status}, summed over every thread of the fork, just before the
 * iteration starts and just after it ends, and divides the difference by the iteration's
 * operations (all threads).
 *
 * <p>What that includes: every thread of the fork — the benchmark threads, the pool's own threads,
 * JIT, GC and JMH's per-iteration coordination (a few dozen switches, negligible beside millions of
 * operations). What it misses: a thread that ends during the iteration takes its counts with it
 * (the benchmark threads live across iterations). Involuntary switches also count preemption by
 * other processes, so a loaded machine inflates them; voluntary switches are the pool's own.
 *
 * <p>Reports {@code ctxsw.voluntary/op}, {@code ctxsw.involuntary/op} and {@code ctxsw.total/op}
 * (averaged over iterations), and {@code ctxsw.voluntary} (summed). Linux only; elsewhere it reports
 * nothing.
 */
public final class ContextSwitchProfiler implements InternalProfiler {
    private static final Path TASKS = Path.of("/proc/self/task");

    private long[] before;

    /** JMH makes one per fork. */
    public ContextSwitchProfiler() {
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = iterationParams.getType() == IterationType.MEASUREMENT ? read() : null;
    }

    @Override
    @SuppressWarnings("rawtypes") // JMH's interface declares the raw Result
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long[] start = before;
        before = null;
        if (start == null) {
            return List.of();
        }
        long[] end = read();
        if (end == null) {
            return List.of();
        }
        long ops = result.getMetadata().getAllOps();
        long voluntary = end[0] - start[0];
        long involuntary = end[1] - start[1];
        List<ScalarResult> out = new ArrayList<>();
        out.add(new ScalarResult("ctxsw.voluntary", voluntary, "#", AggregationPolicy.SUM));
        if (ops > 0) {
            out.add(new ScalarResult("ctxsw.voluntary/op", (double) voluntary / ops, "#/op", AggregationPolicy.AVG));
            out.add(new ScalarResult("ctxsw.involuntary/op", (double) involuntary / ops, "#/op", AggregationPolicy.AVG));
            out.add(new ScalarResult("ctxsw.total/op", (double) (voluntary + involuntary) / ops, "#/op", AggregationPolicy.AVG));
        }
        return out;
    }

    /** The summed voluntary and involuntary switches of every live thread, or null off Linux. */
    static long[] read() {
        if (!Files.isDirectory(TASKS)) {
            return null;
        }
        long voluntary = 0;
        long involuntary = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(task.resolve("status"));
                } catch (IOException gone) {
                    continue; // the thread ended between the listing and the read (ENOENT or ESRCH)
                }
                for (String line : lines) {
                    if (line.startsWith("voluntary_ctxt_switches:")) {
                        voluntary += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                        involuntary += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + TASKS, e);
        }
        return new long[] {voluntary, involuntary};
    }

    @Override
    public String getDescription() {
        return "context switches per operation, from /proc/self/task/*/status (every thread of the fork)";
    }
}
