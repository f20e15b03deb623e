package io.poolkit.bench;

import io.poolkit.IdleOrder;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolBuilder;
import io.poolkit.bench.pools.StormpotState;

/**
 * A plain program for counting instructions (not JMH): warms a pool of 10 up, runs {@code warm}
 * acquire + touch + return cycles on one thread, then {@code measured} more, in batches of 100 so
 * that a compiled method runs them. {@code pool-bench/instructions} runs it twice under
 * {@code valgrind --tool=callgrind}, with 0 and with N measured cycles, and divides the difference
 * in the main thread's instructions by N: start-up, class loading and JIT compilation cancel out,
 * and unlike a time the count does not depend on what else the machine runs.
 *
 * <p>{@code stormpot} runs the same cycles on Stormpot 4 (as {@link Uncontended} has it: pool of 10,
 * no expiration), so the anchor's count can stand beside poolkit's.
 *
 * <pre>java -cp pool-bench.jar:lib/* io.poolkit.bench.CycleDriver default|timed|fifo|stormpot WARM MEASURED</pre>
 */
public final class CycleDriver {
    private static final int BATCH = 100;
    private static final String STORMPOT = "stormpot";

    private CycleDriver() {
    }

    /**
     * @param args {@code default|timed|fifo|stormpot WARM MEASURED}
     * @throws InterruptedException never expected
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: CycleDriver default|timed|fifo|stormpot WARM MEASURED");
            System.exit(2);
        }
        long warm = Long.parseLong(args[1]);
        long measured = Long.parseLong(args[2]);
        if (args[0].equals(STORMPOT)) {
            stormpot(warm, measured);
            return;
        }
        PoolBuilder<Res> builder = Pool.builder(Res::new).name("cycles").maxSize(10);
        if (args[0].equals(Settings.FIFO)) {
            builder.idleOrder(IdleOrder.FIFO);
        } else if (Settings.timed(args[0])) {
            builder.idleTimeout(Settings.IDLE_TIMEOUT)
                    .maxLifetime(Settings.MAX_LIFETIME)
                    .validateAfterIdle(Settings.VALIDATE_AFTER_IDLE)
                    .validator(Res::isValid)
                    .maintenanceInterval(Settings.HOUSEKEEPING);
        }
        try (Pool<Res> pool = builder.build()) {
            pool.warmUp(10);
            cycles(warm, measured, () -> batch(pool));
        }
    }

    private static void stormpot(long warm, long measured) throws InterruptedException {
        StormpotState state = new StormpotState();
        state.size = 10;
        state.config = Settings.DEFAULT;
        state.open();
        try {
            cycles(warm, measured, () -> batch(state));
        } finally {
            state.close();
        }
    }

    /** BATCH cycles; returns what the uses returned, summed. */
    private interface Batch {
        int run() throws InterruptedException;
    }

    private static void cycles(long warm, long measured, Batch batch) throws InterruptedException {
        long sink = 0;
        for (long i = 0; i < (warm + measured) / BATCH; i++) {
            sink += batch.run();
        }
        System.out.println("cycles done, checksum " + sink);
    }

    private static int batch(StormpotState s) throws InterruptedException {
        int sink = 0;
        for (int i = 0; i < BATCH; i++) {
            StormpotState.Pooled pooled = s.pool.claim(s.timeout);
            try {
                sink += pooled.res.use();
            } finally {
                pooled.release();
            }
        }
        return sink;
    }

    private static int batch(Pool<Res> pool) throws InterruptedException {
        int sink = 0;
        for (int i = 0; i < BATCH; i++) {
            try (Lease<Res> lease = pool.acquire()) {
                sink += lease.get().use();
            }
        }
        return sink;
    }
}
