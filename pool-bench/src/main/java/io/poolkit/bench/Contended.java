package io.poolkit.bench;

import io.poolkit.Lease;
import io.poolkit.bench.pools.BagEntry;
import io.poolkit.bench.pools.CommonsPool2State;
import io.poolkit.bench.pools.HikariBagState;
import io.poolkit.bench.pools.PoolkitState;
import io.poolkit.bench.pools.StormpotState;
import io.poolkit.bench.pools.ViburState;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;

/**
 * Several threads on one pool: acquire, touch the object, return, as fast as they can. Cycles per
 * microsecond over all threads. The thread count comes from the runner ({@code -t}, or
 * {@link BenchMain}'s passes: 2, 4, 8 threads on a pool of 10; 4 and 8 on 2 and 16 on 4, poolkit over
 * its fairness sweep there); the pool size is the {@code size} parameter.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(2)
public class Contended {

    /**
     * @param s the pool
     * @return what the use returned
     * @throws InterruptedException never expected
     */
    @Benchmark
    public int poolkit(PoolkitState s) throws InterruptedException {
        try (Lease<Res> lease = s.pool.acquire()) {
            return lease.get().use();
        }
    }

    /**
     * @param s the pool
     * @return what the use returned
     * @throws InterruptedException never expected
     */
    @Benchmark
    public int stormpot(StormpotState s) throws InterruptedException {
        StormpotState.Pooled pooled = s.pool.claim(s.timeout);
        try {
            return pooled.res.use();
        } finally {
            pooled.release();
        }
    }

    /**
     * @param s the pool
     * @return what the use returned
     * @throws Exception never expected
     */
    @Benchmark
    public int commonsPool2(CommonsPool2State s) throws Exception {
        Res res = s.pool.borrowObject();
        try {
            return res.use();
        } finally {
            s.pool.returnObject(res);
        }
    }

    /**
     * @param s the bag
     * @return what the use returned
     * @throws InterruptedException never expected
     */
    @Benchmark
    public int hikariBag(HikariBagState s) throws InterruptedException {
        BagEntry entry = s.borrow();
        try {
            return entry.res.use();
        } finally {
            s.requite(entry);
        }
    }

    /**
     * @param s the pool
     * @return what the use returned
     */
    @Benchmark
    public int vibur(ViburState s) {
        Res res = s.take();
        try {
            return res.use();
        } finally {
            s.pool.restore(res);
        }
    }
}
