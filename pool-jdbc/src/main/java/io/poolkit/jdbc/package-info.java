/**
 * poolkit's JDBC pool: {@link io.poolkit.jdbc.PooledDataSource}, a {@link javax.sql.DataSource} that
 * survives database restarts, dropped connections and network stalls, on the poolkit core.
 *
 * <p>Start with {@link io.poolkit.jdbc.PooledDataSource#builder()}: give it a JDBC URL and credentials
 * (or a driver's {@code DataSource}), set the pool options, build, and borrow connections with
 * {@code getConnection()} in try-with-resources, or use the pool directly with
 * {@link io.poolkit.jdbc.PooledDataSource#query query}, {@link io.poolkit.jdbc.PooledDataSource#update update}
 * and {@link io.poolkit.jdbc.PooledDataSource#inTransaction inTransaction}.
 */
package io.poolkit.jdbc;
