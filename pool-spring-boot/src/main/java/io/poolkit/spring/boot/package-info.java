/**
 * poolkit's Spring Boot auto-configuration. Start with
 * {@code spring.datasource.type=io.poolkit.jdbc.PooledDataSource}: with this module on the class path
 * it makes poolkit the application's pool
 * ({@link io.poolkit.spring.boot.PoolkitDataSourceAutoConfiguration}, where reading begins), with
 * {@code spring.datasource.poolkit.*} bound to its options; every {@code PooledDataSource} bean is
 * described to Boot's {@code jdbc.connections.*} metrics
 * ({@link io.poolkit.spring.boot.PoolkitDataSourcePoolMetadataAutoConfiguration}) and gets
 * pool-micrometer's {@code poolkit.*} meters when a {@code MeterRegistry} exists
 * ({@link io.poolkit.spring.boot.PoolkitMetricsAutoConfiguration}).
 */
package io.poolkit.spring.boot;
