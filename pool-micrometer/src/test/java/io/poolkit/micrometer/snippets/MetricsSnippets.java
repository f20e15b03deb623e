package io.poolkit.micrometer.snippets;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.poolkit.Pool;
import io.poolkit.jdbc.PooledDataSource;
import io.poolkit.micrometer.PoolMetrics;

/** The examples of pool-micrometer's javadoc, as compiled code (see pool-core's PoolSnippets). */
final class MetricsSnippets {
    private MetricsSnippets() {
    }

    static void bind() {
        Pool<Object> pool = Pool.builder(Object::new).build();
        MeterRegistry registry = new SimpleMeterRegistry();
        // @start region="bind"
        PoolMetrics metrics = PoolMetrics.of(pool).tags("service", "orders");
        metrics.bindTo(registry);
        // ... and when the pool goes away:
        metrics.close();
        // @end
        pool.close();
    }

    static void any() throws Exception {
        try (PooledDataSource ds = PooledDataSource.builder().url("jdbc:h2:mem:snippet").username("sa").password("").build()) {
            MeterRegistry registry = new SimpleMeterRegistry();
            // @start region="any"
            PoolMetrics.of(ds.name(), ds::stats).timersFrom(ds::addListener).bindTo(registry);
            // @end
        }
    }
}
