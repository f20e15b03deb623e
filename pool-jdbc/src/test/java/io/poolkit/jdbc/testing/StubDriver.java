package io.poolkit.jdbc.testing;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The one no-op JDBC driver of poolkit's tests and benchmarks ({@code jdbc:stub}; HikariCP-benchmark's
 * stub, written for this project): each connect returns a new connection that keeps the properties a
 * pool sets and resets, answers {@code isValid}, and hands out statements whose {@code execute} returns
 * at once, so a pool's own cost is all that is measured. Wrap it in {@link FaultyDriver} to record calls
 * or inject failures.
 *
 * <p>What a pool touches on every borrow, return and statement (the connection and its plain
 * statements) are plain classes: no reflection on a benchmark's path. The rarer objects (prepared and
 * callable statements, result sets, metadata) are {@link StubObjects}: every method answers a default
 * (zero, false, null; an empty result set, or the connection or statement that made it, for a method
 * that returns one), so nothing a caller can reach is {@code null} where JDBC promises an object.
 * Every object it hands out is a {@link Stub}, so a test can unwrap a pool's proxy down to the
 * driver's object. The driver is thread-safe; its connections, like a real driver's, are not.
 */
public final class StubDriver implements Driver {
    /** The URL every pool is given. */
    public static final String URL = "jdbc:stub";

    /** Implemented by every object the stub driver hands out: unwrapping to it reaches the driver's object. */
    public interface Stub {
    }

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
        return new SimpleDataSource(new StubDriver(), URL);
    }
}
