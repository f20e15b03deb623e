package io.poolkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.KeyedPool;
import io.poolkit.KeyedResourceFactory;
import io.poolkit.PoolStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * A keyed factory that keeps one {@link TestFactory} per key, so each key's hooks can be told to
 * fail or stall on their own and each key keeps its own books; the totals add them up.
 *
 * @param <K> the key type
 */
public class KeyedTestFactory<K> implements KeyedResourceFactory<K, TestResource> {
    private final ConcurrentHashMap<K, TestFactory> byKey = new ConcurrentHashMap<>();

    /** The factory behind {@code key} (made on first use, so a test can set its behaviour before the pool opens the key). */
    public TestFactory of(K key) {
        return byKey.computeIfAbsent(key, k -> new TestFactory());
    }

    @Override
    public TestResource create(K key) throws Exception {
        return of(key).create();
    }

    @Override
    public boolean validate(K key, TestResource resource, Duration timeout) throws Exception {
        return of(key).validate(resource);
    }

    @Override
    public void reset(K key, TestResource resource) throws Exception {
        of(key).reset(resource);
    }

    @Override
    public void destroy(K key, TestResource resource) throws Exception {
        of(key).destroy(resource);
    }

    public int created() {
        return sum(TestFactory::created);
    }

    public int destroyed() {
        return sum(TestFactory::destroyed);
    }

    public int doubleDestroys() {
        return sum(TestFactory::doubleDestroys);
    }

    public List<TestResource> alive() {
        List<TestResource> all = new ArrayList<>();
        byKey.values().forEach(f -> all.addAll(f.alive()));
        return all;
    }

    private int sum(ToIntFunction<TestFactory> count) {
        return byKey.values().stream().mapToInt(count).sum();
    }

    /**
     * The counts rule for every key served now and for the totals, plus: over all keys the factory
     * saw exactly the creates and destroys the pool's totals say, and no resource died twice.
     */
    public PoolStats assertBooksBalance(KeyedPool<K, TestResource> pool) {
        for (K key : pool.keys()) {
            PoolChecks.assertCountsRule(() -> pool.stats(key));
        }
        PoolStats s = PoolChecks.assertCountsRule(pool::stats);
        assertThat(doubleDestroys()).as("resources destroyed twice").isZero();
        Await.until(Duration.ofSeconds(10), () -> destroyed() == pool.stats().destroyed(),
                () -> "factory destroys (" + destroyed() + ") to match the pool's (" + pool.stats() + ")");
        assertThat((long) created()).as("factory creates vs the pool's created (%s)", pool.stats())
                .isEqualTo(pool.stats().created());
        assertThat(alive()).as("resources alive vs idle + leased in %s", s).hasSize(s.idle() + s.leased());
        return s;
    }
}
