/**
 * Micrometer metrics for any poolkit pool. Entry point: {@link io.poolkit.micrometer.PoolMetrics}.
 *
 * {@snippet :
 * PoolMetrics.of(pool).bindTo(registry);
 * }
 */
package io.poolkit.micrometer;
