package io.poolkit.stress;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolStats;
import io.poolkit.PoolTimeoutException;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.junit.jupiter.api.Test;

/**
 * Lincheck's stress mode over a tiny pool (maxSize 2, fairness 10 µs, so both rule 5 modes occur):
 * random scenarios of tryAcquire / acquire with a short timeout / close / double close / invalidate
 * / evictIdle / resize / shutdown run on real threads, each instance a fresh pool. Every operation
 * returns nothing, so what is checked is the pool's own contract: no resource is ever held by two
 * leases at once (each operation marks what it holds), and after each scenario, once background
 * creates and destroys have settled, the counts rule holds with nothing leased, and a shutdown
 * leaves nothing behind.
 */
@Param(name = "size", gen = IntGen.class, conf = "1:3")
public class PoolOperationsStressTest {
    private final AtomicInteger ids = new AtomicInteger();
    private final Pool<TestResource> pool = Pool.builder(() -> new TestResource(ids.incrementAndGet()))
            .maxSize(2).fairness(Duration.ofNanos(10_000)).build();
    private final Set<TestResource> held = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    private final AtomicReference<String> broken = new AtomicReference<>();

    private void hold(Lease<TestResource> l) {
        TestResource r;
        try {
            r = l.get();
        } catch (IllegalStateException shutDownUnderUs) {
            return; // a shutdown forced it away: the lease is dead
        }
        if (!held.add(r)) {
            broken.compareAndSet(null, "resource " + r + " held by two leases at once");
        }
        Thread.onSpinWait();
        held.remove(r);
    }

    @Operation
    public void tryAcquireAndClose() {
        try {
            Optional<Lease<TestResource>> l = pool.tryAcquire();
            l.ifPresent(lease -> {
                hold(lease);
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
            hold(l);
            l.close();
            l.close();
        } catch (PoolTimeoutException | PoolClosedException ignored) {
            // both are allowed outcomes under contention or after shutdown
        }
    }

    @Operation
    public void acquireAndInvalidate() throws InterruptedException {
        try {
            Lease<TestResource> l = pool.acquire(Duration.ofMillis(2));
            hold(l);
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
    public void resize(@Param(name = "size") int size) {
        pool.resize(size);
    }

    @Operation
    public void shutdownNow() throws InterruptedException {
        pool.shutdown(Duration.ZERO);
    }

    @Validate
    public void countsRuleHoldsAndNothingIsLeasedAtRest() throws InterruptedException {
        try {
            if (broken.get() != null) {
                throw new AssertionError(broken.get());
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            PoolStats st = pool.stats();
            while (st.creating() != 0 || st.destroying() != 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("background work did not settle within 10 s: " + st);
                }
                Thread.onSpinWait();
                Thread.yield();
                st = pool.stats();
            }
            if (st.leased() != 0 || st.created() != st.destroyed() + st.idle() + st.leased()) {
                throw new AssertionError("counts rule broken or a lease left with no holder: " + st);
            }
        } finally {
            pool.shutdown(Duration.ofSeconds(5));
        }
        PoolStats end = pool.stats();
        if (end.size() != 0 || end.created() != end.destroyed()) {
            throw new AssertionError("something left after shutdown: " + end);
        }
    }

    @Test
    void noDoubleLeaseAndTheCountsRuleHold() {
        new StressOptions()
                .iterations(60)
                .invocationsPerIteration(200)
                .threads(3)
                .actorsPerThread(4)
                .check(PoolOperationsStressTest.class);
    }
}
