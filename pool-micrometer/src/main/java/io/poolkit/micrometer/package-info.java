/**
 * Micrometer metrics for any poolkit pool. Entry point: {@link io.poolkit.micrometer.PoolMetrics}.
 *
 * {@snippet class=io.poolkit.micrometer.snippets.MetricsSnippets region=bind}
 */
package io.poolkit.micrometer;
