package io.poolkit;

import io.poolkit.testkit.KeyedTestFactory;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One cell of the contract matrix (Caffeine's way: the contract written once, run over the options
 * that change which code path a lease takes): idle order × fairness × a listener or none × hooks
 * or none. Without hooks the factory is a plain lambda, so acquire and return take the fast paths;
 * with hooks a validator, a resetter (and, for a plain pool, an onAcquire hook) send every lease
 * through the checked paths; a listener sends them through the observed ones.
 *
 * @param idleOrder which idle resource an acquire takes
 * @param fairness rule 5: ZERO (strict hand-off), the default, or FOREVER (never hand off)
 * @param listener whether a listener is registered
 * @param hooks whether validate / reset / onAcquire hooks are set
 */
record ContractVariant(IdleOrder idleOrder, Duration fairness, boolean listener, boolean hooks) {
    static final Duration DEFAULT_FAIRNESS = Duration.ofMillis(1);

    /** Every combination: 2 × 3 × 2 × 2 = 24 (the sync path runs them all). */
    static Stream<ContractVariant> all() {
        List<ContractVariant> all = new ArrayList<>();
        for (IdleOrder order : IdleOrder.values()) {
            for (Duration f : List.of(Duration.ZERO, DEFAULT_FAIRNESS, Pool.FOREVER)) {
                for (boolean l : new boolean[] {false, true}) {
                    for (boolean h : new boolean[] {false, true}) {
                        all.add(new ContractVariant(order, f, l, h));
                    }
                }
            }
        }
        return all.stream();
    }

    /**
     * Six rows in which every pair of values of any two options appears at least once (an all-pairs
     * covering set): the other access paths share the engine the sync path covers in full, so they
     * run these to keep the verify time sane.
     */
    static Stream<ContractVariant> pairwise() {
        return Stream.of(
                new ContractVariant(IdleOrder.LIFO, Duration.ZERO, false, false),
                new ContractVariant(IdleOrder.FIFO, Duration.ZERO, true, true),
                new ContractVariant(IdleOrder.LIFO, DEFAULT_FAIRNESS, true, true),
                new ContractVariant(IdleOrder.FIFO, DEFAULT_FAIRNESS, false, false),
                new ContractVariant(IdleOrder.LIFO, Pool.FOREVER, false, true),
                new ContractVariant(IdleOrder.FIFO, Pool.FOREVER, true, false));
    }

    /** A plain pool's builder for this cell. */
    PoolBuilder<TestResource> poolBuilder(int maxSize) {
        PoolBuilder<TestResource> b;
        if (hooks) {
            b = Pool.builder(new TestFactory()).onAcquire(TestResource::touch);
        } else {
            AtomicInteger ids = new AtomicInteger();
            b = Pool.builder(() -> new TestResource(ids.incrementAndGet()));
        }
        b.maxSize(maxSize).idleOrder(idleOrder).fairness(fairness);
        if (listener) {
            b.listener(new CountingListener<>());
        }
        return b;
    }

    /** A keyed pool's builder for this cell (keyed pools have no onAcquire hook). */
    KeyedPoolBuilder<String, TestResource> keyedBuilder(int maxSize, int maxTotal) {
        KeyedPoolBuilder<String, TestResource> b;
        if (hooks) {
            b = KeyedPool.builder(new KeyedTestFactory<String>());
        } else {
            AtomicInteger ids = new AtomicInteger();
            b = KeyedPool.builder((String key) -> new TestResource(ids.incrementAndGet()));
        }
        b.maxSize(maxSize).maxTotal(maxTotal).idleOrder(idleOrder).fairness(fairness);
        if (listener) {
            b.listener(key -> new CountingListener<>());
        }
        return b;
    }

    @Override
    public String toString() {
        String f = fairness.isZero() ? "ZERO" : fairness.equals(Pool.FOREVER) ? "FOREVER" : "default";
        return idleOrder + ", fairness " + f + (listener ? ", listener" : "") + (hooks ? ", hooks" : "");
    }

    /** A listener that does a little work on every event, as a metrics binder would. */
    static final class CountingListener<T> implements PoolListener<T> {
        final AtomicLong events = new AtomicLong();

        @Override
        public void acquired(T resource, long waitNanos) {
            events.incrementAndGet();
        }

        @Override
        public void returned(T resource, long heldNanos) {
            events.incrementAndGet();
        }
    }
}
