/**
 * Micrometer metrics for any poolkit pool.
 *
 * <p>Start with {@link io.poolkit.micrometer.PoolMetrics#of(io.poolkit.Pool) PoolMetrics.of(pool)}
 * (or {@link io.poolkit.micrometer.PoolMetrics#of(io.poolkit.KeyedPool) of(keyedPool)}; for a module's
 * pool, {@link io.poolkit.micrometer.PoolMetrics#of(String, java.util.function.Supplier) of(name, stats)}),
 * add tags, and bind it to a {@code MeterRegistry}:
 *
 * {@snippet class=io.poolkit.micrometer.snippets.MetricsSnippets region=bind}
 */
package io.poolkit.micrometer;
