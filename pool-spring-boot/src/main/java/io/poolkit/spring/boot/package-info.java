/**
 * poolkit's Spring Boot auto-configuration. With this module on the class path,
 * {@code spring.datasource.type=io.poolkit.jdbc.PooledDataSource} makes poolkit the application's
 * pool ({@link io.poolkit.spring.boot.PoolkitDataSourceAutoConfiguration}), with
 * {@code spring.datasource.poolkit.*} bound to its options; every {@code PooledDataSource} bean is
 * described to Boot's {@code jdbc.connections.*} metrics
 * ({@link io.poolkit.spring.boot.PoolkitDataSourcePoolMetadataAutoConfiguration}) and gets
 * pool-micrometer's {@code poolkit.*} meters when a {@code MeterRegistry} exists
 * ({@link io.poolkit.spring.boot.PoolkitMetricsAutoConfiguration}).
 */
package io.poolkit.spring.boot;
