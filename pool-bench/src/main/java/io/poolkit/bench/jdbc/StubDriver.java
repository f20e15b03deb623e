package io.poolkit.bench.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The no-op JDBC driver of the JDBC benchmarks ({@code jdbc:stub}), and the same as an unpooled
 * {@link DataSource}: each connect returns a new {@link StubConnection}, so a pool's own cost is all
 * that is measured. Thread-safe.
 */
public final class StubDriver implements Driver {
    /** The URL every pool is given. */
    public static final String URL = "jdbc:stub";

    @Override
    public Connection connect(String url, Properties info) {
        return acceptsURL(url) ? new StubConnection() : null;
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(URL);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    /** @return the stub as an unpooled DataSource (what HikariCP is given) */
    public static DataSource dataSource() {
        return new DataSource() {
            private int loginTimeout;

            @Override
            public Connection getConnection() {
                return new StubConnection();
            }

            @Override
            public Connection getConnection(String username, String password) {
                return new StubConnection();
            }

            @Override
            public PrintWriter getLogWriter() {
                return null;
            }

            @Override
            public void setLogWriter(PrintWriter out) {
            }

            @Override
            public void setLoginTimeout(int seconds) {
                loginTimeout = seconds;
            }

            @Override
            public int getLoginTimeout() {
                return loginTimeout;
            }

            @Override
            public Logger getParentLogger() throws SQLFeatureNotSupportedException {
                throw new SQLFeatureNotSupportedException();
            }

            @Override
            public <T> T unwrap(Class<T> iface) throws SQLException {
                throw new SQLException("not a wrapper for " + iface);
            }

            @Override
            public boolean isWrapperFor(Class<?> iface) {
                return false;
            }
        };
    }
}
