package io.poolkit.jdbc;

import io.poolkit.Lease;
import io.poolkit.PoolException;
import io.poolkit.jdbc.internal.ConnectionProxy;
import io.poolkit.jdbc.internal.PooledConnection;
import io.poolkit.testkit.AbstractPoolContractTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The core's pool contract, through {@code PooledDataSource.getConnection(timeout)} and
 * {@code Connection.close()} on H2: the resource is the pooled physical connection behind each proxy.
 */
class JdbcPoolContractTest extends AbstractPoolContractTest<PooledConnection> {

    @Override
    protected Subject<PooledConnection> open(int maxSize) {
        PooledDataSource ds = DataSourceTestBase.h2().maxSize(maxSize).build();
        return Subject.of(ds.pool(), timeout -> new ConnectionLease(borrow(ds, timeout)));
    }

    private static Connection borrow(PooledDataSource ds, Duration timeout) throws SQLException {
        try {
            return ds.getConnection(timeout);
        } catch (SQLException e) {
            if (e.getCause() instanceof PoolException pool) {
                throw pool; // the contract speaks in the core's exceptions; the SQLException wraps them
            }
            throw e;
        }
    }

    @Override
    protected boolean handsOutPoolLeases() {
        return false;
    }

    @Override
    protected void use(PooledConnection resource) throws SQLException {
        try (Statement s = resource.raw().createStatement()) {
            s.execute("select 1");
        }
    }

    /** A connection seen as a lease: close() is Connection.close(), invalidate() is Connection.abort(). */
    private static final class ConnectionLease implements Lease<PooledConnection> {
        private final Connection connection;

        ConnectionLease(Connection connection) {
            this.connection = connection;
        }

        @Override
        public PooledConnection get() {
            try {
                if (connection.isClosed()) {
                    connection.getAutoCommit(); // the closed stand-in says what happened
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return ((ConnectionProxy) connection).pooled();
        }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                throw new AssertionError("Connection.close() of a pooled connection threw", e);
            }
        }

        @Override
        public void invalidate() {
            try {
                connection.abort(Runnable::run);
            } catch (SQLException e) {
                throw new AssertionError("Connection.abort() threw", e);
            }
        }

        @Override
        public Duration held() {
            return Duration.ZERO;
        }

        @Override
        public boolean isRetiring() {
            return false;
        }
    }
}
