package io.poolkit.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.ExternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.BenchmarkResultMetaData;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Safepoint pauses of the measured part of a fork, from the JVM's own {@code -Xlog:safepoint} (GC
 * pauses are safepoints too). JMH 1.37's {@code -prof safepoints} does not understand the log
 * lines of current JDKs ({@code Reaching safepoint: .. ns, At safepoint: .. ns, Leaving safepoint:
 * .. ns, Total: .. ns}) and reports nothing there, so this reads them itself.
 *
 * <p>Reports {@code safepoints.count}, {@code safepoints.total} (ms), {@code safepoints.max} (ms,
 * the worst single pause, time to safepoint included) and {@code safepoints.ttsp.max} (ms, the
 * worst time to reach one), over the measurement iterations only.
 */
public final class SafepointLogProfiler implements ExternalProfiler {
    private static final Pattern LINE = Pattern.compile(
            "^\\[(\\d+)ms\\].*Safepoint \"([^\"]*)\".*Reaching safepoint: (\\d+) ns.*Total: (\\d+) ns");

    private Path log;

    /** JMH makes one per run. */
    public SafepointLogProfiler() {
    }

    @Override
    public Collection<String> addJVMInvokeOptions(BenchmarkParams params) {
        return List.of();
    }

    @Override
    public Collection<String> addJVMOptions(BenchmarkParams params) {
        try {
            // A name only: the JVM's log output moves a file that already exists aside (to .0) before
            // it writes, which left an empty poolbench-safepoints-*.log.0 in the temp dir per fork.
            log = Files.createTempFile("poolbench-safepoints-", ".log");
            Files.delete(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of("-Xlog:safepoint=info:file=" + log.toAbsolutePath() + ":timemillis:filecount=0");
    }

    @Override
    public void beforeTrial(BenchmarkParams params) {
    }

    @Override
    @SuppressWarnings("rawtypes") // JMH's interface declares the raw Result
    public Collection<? extends Result> afterTrial(BenchmarkResult result, long pid, File stdOut, File stdErr) {
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        BenchmarkResultMetaData meta = result.getMetadata();
        if (meta != null) {
            from = meta.getMeasurementTime();
            to = meta.getStopTime();
        }
        long count = 0;
        long totalNanos = 0;
        long maxNanos = 0;
        long maxReachNanos = 0;
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher m = LINE.matcher(line);
                if (!m.find()) {
                    continue;
                }
                long at = Long.parseLong(m.group(1));
                if (at < from || at > to) {
                    continue;
                }
                long reach = Long.parseLong(m.group(3));
                long total = Long.parseLong(m.group(4));
                count++;
                totalNanos += total;
                maxNanos = Math.max(maxNanos, total);
                maxReachNanos = Math.max(maxReachNanos, reach);
            }
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the safepoint log " + log, e);
        }
        List<ScalarResult> out = new ArrayList<>();
        out.add(new ScalarResult("safepoints.count", count, "#", AggregationPolicy.SUM));
        out.add(new ScalarResult("safepoints.total", totalNanos / 1e6, "ms", AggregationPolicy.SUM));
        out.add(new ScalarResult("safepoints.max", maxNanos / 1e6, "ms", AggregationPolicy.MAX));
        out.add(new ScalarResult("safepoints.ttsp.max", maxReachNanos / 1e6, "ms", AggregationPolicy.MAX));
        return out;
    }

    @Override
    public boolean allowPrintOut() {
        return true;
    }

    @Override
    public boolean allowPrintErr() {
        return true;
    }

    @Override
    public String getDescription() {
        return "safepoint pauses of the measurement iterations, read from -Xlog:safepoint";
    }
}
