package io.poolkit.bench.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.poolkit.jdbc.PooledDataSource;
import io.poolkit.jdbc.testing.StubDriver;
import java.sql.Connection;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The three pools of the JDBC benchmarks on the stub driver, configured as HikariCP-benchmark does
 * so that each does the same return-path work: connections default to auto-commit off and
 * READ_COMMITTED, a returned connection is rolled back when needed and its changed state reset,
 * statements are tracked and closed, and a connection idle past a short window is validated with
 * {@code isValid} on borrow (HikariCP's bypass window and poolkit's validateAfterIdle, both 500 ms;
 * dbcp2 tests on every borrow as in HikariCP-benchmark, with its state cached). The pool is full
 * ({@code minIdle = maxPoolSize}) before measuring.
 */
@State(Scope.Benchmark)
public class JdbcPools {
    /** poolkit, hikari or dbcp2. */
    @Param({"poolkit", "hikari", "dbcp2"})
    public String pool;

    /** Connections in the pool. */
    @Param({"32"})
    public int maxPoolSize;

    DataSource dataSource;
    private AutoCloseable closer;

    @Setup(Level.Trial)
    public void open() throws Exception {
        switch (pool) {
            case "poolkit" -> {
                PooledDataSource ds = PooledDataSource.builder().url(StubDriver.URL).driver(new StubDriver())
                        .maxSize(maxPoolSize).minIdle(maxPoolSize).acquireTimeout(Duration.ofSeconds(8))
                        .autoCommit(false).transactionIsolation(Connection.TRANSACTION_READ_COMMITTED)
                        .name("bench-jdbc").build();
                dataSource = ds;
                closer = ds;
            }
            case "hikari" -> {
                HikariConfig config = new HikariConfig();
                config.setDataSource(StubDriver.dataSource());
                config.setMaximumPoolSize(maxPoolSize);
                config.setMinimumIdle(maxPoolSize);
                config.setConnectionTimeout(8000);
                config.setAutoCommit(false);
                config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
                config.setPoolName("bench-hikari");
                HikariDataSource ds = new HikariDataSource(config);
                dataSource = ds;
                closer = ds;
            }
            case "dbcp2" -> {
                BasicDataSource ds = new BasicDataSource();
                ds.setDriver(new StubDriver());
                ds.setUrl(StubDriver.URL);
                ds.setInitialSize(maxPoolSize);
                ds.setMinIdle(maxPoolSize);
                ds.setMaxIdle(maxPoolSize);
                ds.setMaxTotal(maxPoolSize);
                ds.setMaxWait(Duration.ofSeconds(8));
                ds.setDefaultAutoCommit(false);
                ds.setRollbackOnReturn(true);
                ds.setAutoCommitOnReturn(false);
                ds.setTestOnBorrow(true);
                ds.setCacheState(true);
                ds.setFastFailValidation(true);
                ds.setDefaultTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                dataSource = ds;
                closer = ds;
            }
            default -> throw new IllegalArgumentException("pool must be poolkit, hikari or dbcp2, but was " + pool);
        }
        // fill the pool and touch every connection once
        Connection[] all = new Connection[maxPoolSize];
        for (int i = 0; i < all.length; i++) {
            all[i] = dataSource.getConnection();
        }
        for (Connection c : all) {
            c.close();
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        closer.close();
    }
}
