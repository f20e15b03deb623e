/**
 * poolkit's Spring Boot auto-configuration. Start with
 * {@code spring.datasource.type=io.poolkit.jdbc.PooledDataSource}: with this module on the class path
 * it makes poolkit the application's pool
 * ({@link io.poolkit.spring.boot.PoolkitDataSourceAutoConfiguration}, where reading begins), and so
 * does leaving the type out while no pool Boot prefers (HikariCP, Tomcat JDBC, DBCP2, Oracle UCP) is
 * on the class path, with {@code spring.datasource.poolkit.*} bound to its options (durations also
 * take {@code forever}) and a WARN when those are set while another pool is the application's
 * ({@link io.poolkit.spring.boot.PoolkitPropertiesAutoConfiguration}); every {@code PooledDataSource} bean is
 * described to Boot's {@code jdbc.connections.*} metrics
 * ({@link io.poolkit.spring.boot.PoolkitDataSourcePoolMetadataAutoConfiguration}) and gets
 * pool-micrometer's {@code poolkit.*} meters when a {@code MeterRegistry} exists
 * ({@link io.poolkit.spring.boot.PoolkitMetricsAutoConfiguration}).
 */
package io.poolkit.spring.boot;
