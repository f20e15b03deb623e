package io.poolkit.stress;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolStats;
import io.poolkit.PoolTimeoutException;
import io.poolkit.internal.GateProbe;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck's stress mode over a tiny pool (maxSize 2): random scenarios of tryAcquire / acquire with
 * a short timeout / close / double close / invalidate / evictIdle / resize / shutdown run on real
 * threads, each invocation on a fresh pool, once with {@code fairness(ZERO)} (strict hand-off) and
 * once with the default fairness (rule 5's normal mode, and hand-off mode whenever a waiter passes
 * 1 ms). Every operation returns nothing, so what is checked is the pool's own contract: no resource
 * is ever held by two leases ({@link TestResource#enter()} counts holders for the whole lease), and
 * at the end of each invocation, once background creates and destroys have settled, the counts rule
 * holds with nothing leased, nobody waiting, and neither rule 5 bit (HANDOFF, WOKEN) left behind; a
 * shutdown then leaves nothing. The scheduler is injected (no timer thread per pool; nothing here
 * needs one), the ticker is the system's, so acquire deadlines are real.
 */
class PoolOperationsStressTest {

    @Test
    void strictHandOffNoDoubleLeaseAndTheCountsRuleHold() {
        check(FairnessZero.class);
    }

    @Test
    void boundedFairnessNoDoubleLeaseAndTheCountsRuleHold() {
        check(DefaultFairness.class);
    }

    private static void check(Class<? extends Subject> subject) {
        new StressOptions()
                .iterations(40)
                .invocationsPerIteration(150)
                .threads(3)
                .actorsPerThread(4)
                .check(subject);
    }

    /** Strict hand-off at every return. */
    public static class FairnessZero extends Subject {
        public FairnessZero() {
            super(Duration.ZERO);
        }
    }

    /** The default: running callers may take returned resources until a waiter has waited 1 ms. */
    public static class DefaultFairness extends Subject {
        public DefaultFairness() {
            super(Duration.ofMillis(1));
        }
    }

    /** What Lincheck runs: one fresh pool per invocation, the operations, and the check at rest. */
    public abstract static class Subject {
        private final AtomicInteger ids = new AtomicInteger();
        private final Pool<TestResource> pool;
        private final AtomicReference<String> broken = new AtomicReference<>();

        Subject(Duration fairness) {
            this.pool = Pool.builder(() -> new TestResource(ids.incrementAndGet()))
                    .maxSize(2).fairness(fairness).scheduler(new ManualClock()).build();
        }

        /** Holds the lease's resource as its only holder until {@link #release}; a second holder is recorded. */
        private TestResource hold(Lease<TestResource> l) {
            TestResource r;
            try {
                r = l.get();
            } catch (IllegalStateException shutDownUnderUs) {
                return null; // a shutdown forced it away: the lease is dead
            }
            try {
                r.enter();
            } catch (AssertionError twoHolders) {
                broken.compareAndSet(null, twoHolders.getMessage());
                return null;
            }
            Thread.onSpinWait();
            return r;
        }

        private static void release(TestResource held) {
            if (held != null) {
                held.exit();
            }
        }

        @Operation
        public void tryAcquireAndClose() {
            try {
                Optional<Lease<TestResource>> l = pool.tryAcquire();
                l.ifPresent(lease -> {
                    release(hold(lease));
                    lease.close();
                });
            } catch (PoolClosedException ignored) {
                // shutdown raced
            }
        }

        @Operation
        public void acquireAndCloseTwice() throws InterruptedException {
            try {
                Lease<TestResource> l = pool.acquire(Duration.ofMillis(2));
                release(hold(l));
                l.close();
                l.close(); // a no-op, never a second return
            } catch (PoolTimeoutException | PoolClosedException ignored) {
                // both are allowed outcomes under contention or after shutdown
            }
        }

        @Operation
        public void acquireAndInvalidate() throws InterruptedException {
            try {
                Lease<TestResource> l = pool.acquire(Duration.ofMillis(2));
                release(hold(l));
                l.invalidate();
                l.close(); // a no-op after invalidate
            } catch (PoolTimeoutException | PoolClosedException ignored) {
                // allowed outcomes
            }
        }

        @Operation
        public void evictIdle() {
            pool.evictIdle();
        }

        @Operation
        public void resize(@Param(gen = IntGen.class, conf = "1:3") int size) {
            pool.resize(size);
        }

        @Operation
        public void shutdownNow() throws InterruptedException {
            pool.shutdown(Duration.ZERO);
        }

        @Validate
        public void atRestTheCountsRuleHoldsNothingIsLeasedAndNoModeBitIsLeft() throws InterruptedException {
            try {
                if (broken.get() != null) {
                    throw new AssertionError(broken.get());
                }
                long deadline = System.nanoTime() + 10_000_000_000L;
                PoolStats st = pool.stats();
                while (st.creating() != 0 || st.destroying() != 0 || st.waiting() != 0) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError("background work did not settle within 10 s: " + st);
                    }
                    Thread.yield();
                    st = pool.stats();
                }
                if (st.leased() != 0 || st.created() != st.destroyed() + st.idle() + st.leased()) {
                    throw new AssertionError("counts rule broken or a lease left with no holder: " + st);
                }
                if (GateProbe.handOff(pool) || GateProbe.woken(pool) || GateProbe.waiters(pool) != 0) {
                    throw new AssertionError("a rule 5 bit left behind with nobody waiting: " + GateProbe.describe(pool) + " " + st);
                }
            } finally {
                pool.shutdown(Duration.ofSeconds(5));
            }
            PoolStats end = pool.stats();
            if (end.size() != 0 || end.created() != end.destroyed()) {
                throw new AssertionError("something left after shutdown: " + end);
            }
        }
    }
}
