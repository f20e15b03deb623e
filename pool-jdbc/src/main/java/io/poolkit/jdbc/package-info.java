/**
 * poolkit's JDBC pool: {@link io.poolkit.jdbc.PooledDataSource}, a {@link javax.sql.DataSource} that
 * survives database restarts, dropped connections and network stalls, on the poolkit core.
 *
 * <p>Start with {@link io.poolkit.jdbc.PooledDataSource#builder()}: give it a JDBC URL and credentials
 * (or a driver's {@code DataSource}), set the pool options, build, and borrow connections with
 * {@code getConnection()} in try-with-resources, or use the pool directly with
 * {@link io.poolkit.jdbc.PooledDataSource#query query}, {@link io.poolkit.jdbc.PooledDataSource#update update}
 * and {@link io.poolkit.jdbc.PooledDataSource#inTransaction inTransaction}. Frameworks and containers
 * that configure a data source as a JavaBean start with {@code new PooledDataSource()} and its setters
 * ({@link io.poolkit.jdbc.PooledDataSourceConfig}); the pool starts on the first {@code getConnection()}.
 */
package io.poolkit.jdbc;
