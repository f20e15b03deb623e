package io.poolkit.bench;

import io.poolkit.Lease;
import io.poolkit.bench.pools.PoolkitExtrasState;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;

/**
 * poolkit alone, uncontended (1 thread, pool of 10): what a listener and leak detection cost on the
 * fast path, beside a baseline measured in the same run. Outside the speed targets.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
public class PoolkitExtras {

    /**
     * @param s the pool, with the variant's features
     * @return what the use returned
     * @throws InterruptedException never expected
     */
    @Benchmark
    public int poolkit(PoolkitExtrasState s) throws InterruptedException {
        try (Lease<Res> lease = s.pool.acquire()) {
            return lease.get().use();
        }
    }
}
