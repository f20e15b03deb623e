package io.poolkit.stress;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolStats;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * A lease closed twice (or used after close) on one thread while another thread claims and returns
 * the same slot: Lincheck's model checker runs the two threads under every interleaving it can reach
 * at their shared-memory accesses, so the ABA between the ownership check's two reads is found every
 * run, not by luck. Each test failed on the code before the fix (the slot read leased forever with
 * no holder, or a closed lease's {@code get()} returned the resource another lease held).
 */
class DoubleCloseModelCheckTest {
    private static final int INVOCATIONS = 5_000;

    @Test
    void leaseClosedTwiceWhileAnotherThreadCyclesTheSlotIsReturnedOnce() throws Exception {
        // a lambda factory has no hooks: every close takes the fast return
        check(Pool.builder(() -> new TestResource(1)), lease -> {
            lease.close();
            lease.close();
        });
    }

    @Test
    void staleCloseOnTheSlowReturnPathNeverResetsAnotherLeasesResource() throws Exception {
        // TestFactory's reset hook sends every close through the slow return (reset on the returning thread)
        check(Pool.builder(new TestFactory()), lease -> {
            lease.close();
            lease.close();
        });
    }

    @Test
    void getAfterCloseThrowsEvenWhileAnotherThreadCyclesTheSlot() throws Exception {
        AtomicReference<String> stale = new AtomicReference<>();
        check(Pool.builder(() -> new TestResource(1)), lease -> {
            lease.close();
            try {
                lease.get();
                stale.set("a closed lease's get() returned the resource");
            } catch (IllegalStateException expected) {
                // the contract: a lease used after close says so
            }
        });
        if (stale.get() != null) {
            throw new AssertionError(stale.get());
        }
    }

    private static void check(io.poolkit.PoolBuilder<TestResource> builder, Consumer<Lease<TestResource>> afterAcquire)
            throws Exception {
        ManualClock clock = new ManualClock();
        // built once, outside the checked block: each run leaves it as it found it (one idle resource)
        Pool<TestResource> pool = builder.maxSize(1).ticker(clock).scheduler(clock).build();
        try {
            pool.warmUp(1);
            Lincheck.runConcurrentTest(INVOCATIONS, () -> {
                Thread a = new Thread(() -> cycle(pool, afterAcquire));
                Thread b = new Thread(() -> cycle(pool, afterAcquire));
                a.start();
                b.start();
                try {
                    a.join();
                    b.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                PoolStats st = pool.stats();
                if (st.leased() != 0 || st.idle() != 1) {
                    throw new AssertionError("the resource must be idle once, with no lease left without a holder: " + st);
                }
            });
        } finally {
            pool.close();
        }
    }

    private static void cycle(Pool<TestResource> pool, Consumer<Lease<TestResource>> afterAcquire) {
        Optional<Lease<TestResource>> l = pool.tryAcquire();
        l.ifPresent(afterAcquire);
    }
}
