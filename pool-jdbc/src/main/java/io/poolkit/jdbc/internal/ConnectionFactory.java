package io.poolkit.jdbc.internal;

import io.poolkit.ResourceFactory;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens, checks and closes the physical connections of one data source, on the pool's workers.
 *
 * <p>Creation: connect (through the driver with the URL and properties, or through the wrapped
 * {@code DataSource}), apply the configured defaults, run {@code connectionInitSql}, commit it when
 * auto-commit is off. A failure closes the half-made connection, and its text is scrubbed of
 * secrets before the pool records it. The login timeout is handed to the driver (as its
 * {@code loginTimeout} property when it declares one, or {@code DataSource.setLoginTimeout}), and
 * the pool bounds the whole creation by it as well ({@code createTimeout}). A new one given while
 * the pool runs ({@link #loginTimeout(Duration)}) reaches the connections opened from then on; the
 * pool's own bound stays the one it started with.
 *
 * <p>Validation is {@code Connection.isValid}, given the bound the pool computed (whole seconds,
 * rounded up, at least 1: JDBC cannot express less, and 0 would mean "no limit"); the pool stops
 * waiting at the exact bound either way.
 */
public final class ConnectionFactory implements ResourceFactory<PooledConnection> {
    private static final Logger log = LoggerFactory.getLogger(ConnectionFactory.class);

    /** Opens one physical connection. */
    @FunctionalInterface
    interface Source {
        Connection connect() throws SQLException;
    }

    private final PoolContext ctx;
    private final JdbcSettings settings;
    private final Source source;
    /** Read by every connect: {@code DataSource.setLoginTimeout} may change it while the pool runs. */
    private volatile Duration loginTimeout;

    /**
     * Resolves the driver (for a URL) and hands it the login timeout; fails at once when no driver
     * accepts the URL.
     *
     * @throws IllegalArgumentException when no driver accepts the URL
     */
    public ConnectionFactory(PoolContext ctx, JdbcSettings settings) {
        this.ctx = ctx;
        this.settings = settings;
        this.loginTimeout = settings.loginTimeout;
        this.source = settings.dataSource != null ? dataSourceSource(settings) : urlSource(ctx, settings);
    }

    /**
     * Hands {@code timeout} to the connections opened from now on: the driver's {@code loginTimeout}
     * property (unless the user set that property), or the wrapped {@code DataSource}'s
     * {@code setLoginTimeout}. The pool still ends a creation at the {@code createTimeout} it started with.
     */
    public void loginTimeout(Duration timeout) {
        loginTimeout = timeout;
        if (settings.dataSource != null) {
            handTo(settings.dataSource, timeout);
        }
    }

    static int seconds(Duration d) {
        long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, s));
    }

    private static void handTo(DataSource ds, Duration timeout) {
        try {
            ds.setLoginTimeout(seconds(timeout));
        } catch (SQLException | UnsupportedOperationException | AbstractMethodError e) {
            log.debug("{} does not take a login timeout; creation is still bounded by the pool", ds.getClass().getName(), e);
        }
    }

    private static Source dataSourceSource(JdbcSettings s) {
        DataSource ds = s.dataSource;
        handTo(ds, s.loginTimeout);
        String user = s.username;
        String password = s.password;
        return user == null ? ds::getConnection : () -> ds.getConnection(user, password);
    }

    private Source urlSource(PoolContext ctx, JdbcSettings s) {
        String url = s.url;
        Driver driver = s.driver;
        if (driver == null) {
            try {
                driver = DriverManager.getDriver(url);
            } catch (SQLException e) {
                throw new IllegalArgumentException(ctx.name + " - no JDBC driver accepts the url " + Secrets.redactUrl(url)
                        + ": put the driver's jar on the class path (or module path), or pass the driver with .driver(..)", e);
            }
        }
        Properties props = new Properties();
        props.putAll(s.properties);
        if (s.username != null) {
            props.setProperty("user", s.username);
        }
        if (s.password != null) {
            props.setProperty("password", s.password);
        }
        Driver d = driver;
        if (props.containsKey("loginTimeout") || !declares(driver, url, props, "loginTimeout")) {
            return () -> d.connect(url, props);
        }
        return () -> {
            Properties now = new Properties();
            now.putAll(props);
            now.setProperty("loginTimeout", Integer.toString(seconds(loginTimeout)));
            return d.connect(url, now);
        };
    }

    private static boolean declares(Driver driver, String url, Properties props, String name) {
        try {
            DriverPropertyInfo[] info = driver.getPropertyInfo(url, props);
            if (info != null) {
                for (DriverPropertyInfo i : info) {
                    if (name.equals(i.name)) {
                        return true;
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("driver {} could not list its properties", driver.getClass().getName(), e);
        }
        return false;
    }

    @Override
    public PooledConnection create() throws Exception {
        Connection raw;
        try {
            raw = source.connect();
        } catch (SQLException e) {
            throw ctx.secrets.scrub(e);
        } catch (RuntimeException e) {
            throw ctx.secrets.scrub(e);
        }
        if (raw == null) {
            throw new SQLException(ctx.name + " - the driver returned no connection for " + ctx.description
                    + " (a java.sql.Driver returns null for a URL it does not handle)", "08001");
        }
        try {
            PooledConnection pc = setUp(raw);
            log.debug("{} - opened {}", ctx.name, pc);
            return pc;
        } catch (SQLException | RuntimeException e) {
            try {
                raw.close();
            } catch (SQLException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw ctx.secrets.scrub(e);
        }
    }

    private PooledConnection setUp(Connection raw) throws SQLException {
        JdbcSettings s = settings;
        String step = "setting its autoCommit";
        try {
            if (raw.getAutoCommit() != s.autoCommit) {
                raw.setAutoCommit(s.autoCommit);
            }
            step = "setting its transactionIsolation";
            if (s.isolation != null) {
                raw.setTransactionIsolation(s.isolation);
            }
            step = "setting its readOnly";
            if (s.readOnly != null) {
                raw.setReadOnly(s.readOnly);
            }
            step = "setting its catalog";
            if (s.catalog != null) {
                raw.setCatalog(s.catalog);
            }
            step = "setting its schema";
            if (s.schema != null) {
                raw.setSchema(s.schema);
            }
            step = "its connectionInitSql";
            if (s.connectionInitSql != null) {
                try (Statement st = raw.createStatement()) {
                    st.execute(s.connectionInitSql);
                }
            }
            step = "committing its set-up";
            if (!s.autoCommit) {
                raw.commit();
            }
        } catch (SQLException e) {
            throw new ConnectionSetupException(step, e);
        }
        return new PooledConnection(raw, s.autoCommit, s.isolation, s.readOnly, s.catalog, s.schema, ctx.description);
    }

    @Override
    public boolean validate(PooledConnection pc, Duration timeout) throws SQLException {
        return pc.raw.isValid(seconds(timeout));
    }

    @Override
    public void destroy(PooledConnection pc) throws SQLException {
        log.debug("{} - closing {}", ctx.name, pc);
        try {
            pc.raw.close();
        } catch (SQLException e) {
            throw ctx.secrets.scrub(e);
        }
    }

    @Override
    public String toString() {
        return "ConnectionFactory[" + ctx.description + "]";
    }
}
