package io.poolkit.bench.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.infra.Blackhole;

/**
 * HikariCP-benchmark's two cases on the stub driver, for poolkit, HikariCP and dbcp2 (see
 * {@link JdbcPools}). {@code connectionCycle}: {@code getConnection()} and {@code close()}.
 * {@code statementCycle}: borrow, {@code createStatement()}, {@code execute(..)}, close the statement,
 * return; unlike HikariCP-benchmark's StatementBench (one connection held per thread) the borrow is
 * part of the cycle, so it also runs with more threads than connections. Run the thread counts with
 * {@link JdbcBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JdbcCycles {

    @Benchmark
    public Connection connectionCycle(JdbcPools pools) throws SQLException {
        Connection c = pools.dataSource.getConnection();
        c.close();
        return c;
    }

    @Benchmark
    public Statement statementCycle(JdbcPools pools, Blackhole bh) throws SQLException {
        try (Connection c = pools.dataSource.getConnection()) {
            Statement s = c.createStatement();
            bh.consume(s.execute("INSERT INTO test (column) VALUES (?)"));
            s.close();
            return s;
        }
    }
}
