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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * More threads than objects (4 threads on 2, 8 on 2, 16 on 4, set by {@link BenchMain}'s passes): acquire,
 * hold the object for a little CPU work, return. JMH samples the cycle time (p50, p99, p99.9, max
 * of the samples); {@link AcquireWaits} times every acquire on top, because a sampler can miss the
 * single worst one, and the target is about the worst.
 *
 * <p>{@link #noPool} is the floor every pool stands on: the same loop and the same timing with
 * nothing to acquire, each thread holding its own object. Its worst "acquire" is how long a thread
 * of this shape can lose the CPU between two clock reads: the scheduler's share of every pool's
 * worst acquire on this machine, not a pool's.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(4)
public class Oversubscribed {

    /** The work done while holding the object. */
    @State(Scope.Benchmark)
    public static class Hold {
        /** {@link Blackhole#consumeCPU} tokens spent holding the object. */
        @Param("100")
        public int holdTokens;
    }

    /** One object per thread: nothing shared, nothing to wait for. */
    @State(Scope.Thread)
    public static class Own {
        final Res res = new Res();
    }

    /**
     * The floor: the timed "acquire" takes this thread's own object, so its worst is the
     * scheduler's and the JVM's alone (preemption, safepoints), at the same thread count and hold.
     *
     * @param own this thread's object
     * @param h the hold time
     * @param w this thread's acquire times
     * @return what the use returned
     */
    @Benchmark
    public int noPool(Own own, Hold h, AcquireWaits w) {
        long start = System.nanoTime();
        Res res = own.res;
        w.record(System.nanoTime() - start);
        Blackhole.consumeCPU(h.holdTokens);
        return res.use();
    }

    /**
     * @param s the pool
     * @param h the hold time
     * @param w this thread's acquire times
     * @return what the use returned
     * @throws InterruptedException never expected
     */
    @Benchmark
    public int poolkit(PoolkitState s, Hold h, AcquireWaits w) throws InterruptedException {
        long start = System.nanoTime();
        try (Lease<Res> lease = s.pool.acquire()) {
            w.record(System.nanoTime() - start);
            Blackhole.consumeCPU(h.holdTokens);
            return lease.get().use();
        }
    }

    /**
     * @param s the pool
     * @param h the hold time
     * @param w this thread's acquire times
     * @return what the use returned
     * @throws InterruptedException never expected
     */
    @Benchmark
    public int stormpot(StormpotState s, Hold h, AcquireWaits w) throws InterruptedException {
        long start = System.nanoTime();
        StormpotState.Pooled pooled = s.pool.claim(s.timeout);
        try {
            w.record(System.nanoTime() - start);
            Blackhole.consumeCPU(h.holdTokens);
            return pooled.res.use();
        } finally {
            pooled.release();
        }
    }

    /**
     * @param s the pool
     * @param h the hold time
     * @param w this thread's acquire times
     * @return what the use returned
     * @throws Exception never expected
     */
    @Benchmark
    public int commonsPool2(CommonsPool2State s, Hold h, AcquireWaits w) throws Exception {
        long start = System.nanoTime();
        Res res = s.pool.borrowObject();
        try {
            w.record(System.nanoTime() - start);
            Blackhole.consumeCPU(h.holdTokens);
            return res.use();
        } finally {
            s.pool.returnObject(res);
        }
    }

    /**
     * @param s the bag
     * @param h the hold time
     * @param w this thread's acquire times
     * @return what the use returned
     * @throws InterruptedException never expected
     */
    @Benchmark
    public int hikariBag(HikariBagState s, Hold h, AcquireWaits w) throws InterruptedException {
        long start = System.nanoTime();
        BagEntry entry = s.borrow();
        try {
            w.record(System.nanoTime() - start);
            Blackhole.consumeCPU(h.holdTokens);
            return entry.res.use();
        } finally {
            s.requite(entry);
        }
    }

    /**
     * @param s the pool
     * @param h the hold time
     * @param w this thread's acquire times
     * @return what the use returned
     */
    @Benchmark
    public int vibur(ViburState s, Hold h, AcquireWaits w) {
        long start = System.nanoTime();
        Res res = s.take();
        try {
            w.record(System.nanoTime() - start);
            Blackhole.consumeCPU(h.holdTokens);
            return res.use();
        } finally {
            s.pool.restore(res);
        }
    }
}
