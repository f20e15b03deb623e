package io.poolkit.jdbc;

import io.poolkit.CircuitOpenException;
import io.poolkit.CircuitState;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolBuilder;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolException;
import io.poolkit.PoolExhaustedException;
import io.poolkit.PoolListener;
import io.poolkit.PoolStats;
import io.poolkit.PoolTimeoutException;
import io.poolkit.Registration;
import io.poolkit.ResourceCreationException;
import io.poolkit.jdbc.internal.ConnectionFactory;
import io.poolkit.jdbc.internal.ConnectionProxy;
import io.poolkit.jdbc.internal.DataSourceOptions;
import io.poolkit.jdbc.internal.DirectSql;
import io.poolkit.jdbc.internal.JdbcSettings;
import io.poolkit.jdbc.internal.ListenerAdapter;
import io.poolkit.jdbc.internal.PoolContext;
import io.poolkit.jdbc.internal.PooledConnection;
import io.poolkit.jdbc.internal.PropertiesBinder;
import io.poolkit.jdbc.internal.StartFailure;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} whose connections come from a poolkit pool: {@code getConnection()} borrows,
 * {@code Connection.close()} returns.
 *
 * {@snippet class=io.poolkit.jdbc.snippets.JdbcSnippets region=data-source}
 *
 * <p><b>What a returned connection goes through.</b> Statements left open are closed; work not
 * committed is rolled back (on PostgreSQL also an SQL {@code BEGIN} under auto-commit); the
 * properties the borrower changed (auto-commit, isolation, read-only, catalog, schema, network
 * timeout, client info), and only those, are set back; warnings are cleared; its metadata stops
 * working. Session state set with SQL ({@code SET}, temporary tables, ...) is not reset, as by HikariCP. A connection whose use threw a fatal error ({@link FatalErrorClassifier}), or whose
 * cleaning failed, is destroyed instead: a dirty or broken connection is never handed out. The
 * connection object itself is dead after {@code close()}: every call throws "connection is closed".
 * A borrower that unwraps to the driver's connection gets it, and the return path then compares and
 * restores every property.
 *
 * <p><b>Failures.</b> {@code getConnection()} waits at most {@code acquireTimeout}, whatever the
 * database or network does, and then throws {@link SQLTransientConnectionException} whose cause is
 * the pool's {@link PoolTimeoutException} (and, while connecting fails, the driver's error under
 * it). A connection idle longer than {@code validateAfterIdle} is checked with
 * {@code Connection.isValid} before it is handed out, bounded by {@code validationTimeout} and the
 * caller's deadline.
 *
 * <p><b>Configured as a JavaBean</b> (as frameworks and containers do): {@code new PooledDataSource()},
 * the setters of {@link PooledDataSourceConfig}, and the pool starts on the first
 * {@code getConnection()} or {@link #start()}; or {@link #PooledDataSource(Properties)} with the
 * same names. The getters report the configured values however the data source was made.
 *
 * <p>Credentials never appear in logs, messages or {@code toString()}. Thread-safe (a lazy start
 * by two threads at once starts one pool); the connections it hands out are for one thread at a
 * time, like the drivers'.
 */
public final class PooledDataSource extends PooledDataSourceConfig implements DataSource, AutoCloseable {
    /** What a started data source works with; published once, by {@link #start()}. */
    private record Running(String name, PoolContext ctx, Pool<PooledConnection> pool, JdbcSettings settings, ConnectionFactory factory) {
    }

    private final String defaultName;
    private volatile Running running;
    private volatile boolean closed;
    private volatile PrintWriter logWriter;
    /** Listeners added before the start; guarded by {@code lock}. */
    private final List<PendingListener> pending = new ArrayList<>();

    /**
     * A data source to configure with its setters (a framework's or a container's JavaBean); its pool
     * starts on the first {@link #getConnection()} or {@link #start()}.
     */
    public PooledDataSource() {
        this(new DataSourceOptions());
    }

    /**
     * A data source configured from properties with the setters' names ({@code url}, {@code username},
     * {@code password}, {@code maxSize}, {@code acquireTimeout}, ...; {@code max-size} is read as
     * {@code maxSize}); {@code dataSource.<name>} entries are driver properties. Durations are
     * ISO-8601 ({@code PT30S}) or a number with a unit ({@code 30s}, {@code 500ms}; a bare number is
     * milliseconds), as Spring Boot reads them, or {@code forever} (any case) for
     * {@link io.poolkit.Pool#FOREVER}; {@code initializationFailTimeout=-1} is {@code forever} too, as
     * HikariCP spells it. {@code loginTimeout} takes the same forms in whole seconds, and a bare number
     * there is seconds, as JDBC defines it. Two spellings of one property ({@code url} and
     * {@code jdbcUrl}, {@code max-size} and {@code maxSize}) must agree. Its pool starts on the first
     * {@link #getConnection()} or {@link #start()}.
     *
     * @param properties the configuration
     * @throws IllegalArgumentException for an unknown property, a bad value, or two spellings of one
     *     property with different values, naming the keys and the values (never a secret's value)
     */
    public PooledDataSource(Properties properties) {
        this();
        PropertiesBinder.bind(this, Objects.requireNonNull(properties, "properties must not be null"));
    }

    /**
     * A data source configured from a properties file, as {@link #PooledDataSource(Properties)}.
     *
     * @param propertiesFile the file, ISO 8859-1 with escapes as {@link Properties#load(java.io.InputStream)} reads it
     * @throws UncheckedIOException when the file cannot be read
     * @throws IllegalArgumentException for an unknown property or a bad value, naming both
     */
    public PooledDataSource(Path propertiesFile) {
        this(PropertiesBinder.load(propertiesFile));
    }

    private PooledDataSource(DataSourceOptions options) {
        super(options);
        this.defaultName = options.name != null ? options.name : DataSourceOptions.nextName();
    }

    /** The builder's: started before it returns. */
    static PooledDataSource started(DataSourceOptions options) {
        PooledDataSource ds = new PooledDataSource(options);
        ds.start();
        return ds;
    }

    /**
     * Starts the pool: resolves the driver, opens the first connections (up to {@code minIdle}) and
     * fails fast when the database cannot be reached, unless {@code initializationFailTimeout} says
     * to wait or to start anyway. The first {@link #getConnection()} does the same. Idempotent; when
     * two threads start at once, one pool starts and both use it.
     *
     * @throws IllegalArgumentException when options contradict each other or no driver accepts the URL
     * @throws io.poolkit.ResourceCreationException when the database cannot be reached within
     *     {@code initializationFailTimeout}; its message says what failed (the credentials refused,
     *     nothing listening at the host and port, ...) and its cause is the driver's error. A later
     *     call tries again.
     * @throws IllegalStateException when the data source is closed, whether it had started or not
     */
    public void start() {
        Running r = running;
        if (r == null || closed) {
            startOnce();
        }
    }

    private Running startOnce() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException(poolName() + " - the data source is closed; it cannot start");
            }
            Running r = running;
            if (r != null) {
                return r;
            }
            r = open(options.copy());
            running = r;
            for (PendingListener l : pending) {
                l.attach(r.pool);
            }
            pending.clear();
            return r;
        }
    }

    private Running open(DataSourceOptions o) {
        String name = poolName();
        JdbcSettings settings = o.resolve();
        PoolContext ctx = new PoolContext(name, settings.describe(), settings.classifier, settings.secrets());
        ConnectionFactory factory = new ConnectionFactory(ctx, settings);
        PoolBuilder<PooledConnection> b = Pool.builder(factory).name(name);
        o.applyTo(b);
        // minIdle is set once the initial connections are open: pool-core's warm-up at build() does
        // not count the minIdle refill running beside it, which opens extra connections and, when
        // minIdle == maxSize, takes every slot so that build() fails (reported to pool-core)
        b.createTimeout(settings.loginTimeout).initialSize(Math.max(1, o.minIdle)).minIdle(0);
        Pool<PooledConnection> pool;
        try {
            pool = b.build();
        } catch (ResourceCreationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ResourceCreationException(StartFailure.explain(name, settings, ctx.description, cause), cause);
        }
        pool.setMinIdle(o.minIdle);
        return new Running(name, ctx, pool, settings, factory);
    }

    @Override
    Pool<?> runningPool() {
        Running r = running;
        return r == null ? null : r.pool;
    }

    @Override
    boolean closed() {
        return closed;
    }

    @Override
    String poolName() {
        Running r = running;
        if (r != null) {
            return r.name;
        }
        synchronized (lock) {
            return options.name != null ? options.name : defaultName;
        }
    }

    /**
     * @return whether the pool runs: it has started (by {@link #start()}, a first
     *     {@code getConnection()}, or the builder) and is not closed
     */
    public boolean isStarted() {
        return running != null && !closed;
    }

    /**
     * Starts building a data source.
     *
     * @return a builder with the documented defaults
     */
    public static PooledDataSourceBuilder builder() {
        return new PooledDataSourceBuilder();
    }

    // ---- DataSource ----

    /**
     * Borrows a connection, waiting up to {@code acquireTimeout}. Close it to return it.
     *
     * @return a pooled connection
     * @throws SQLTransientConnectionException when none could be had in time (cause: the pool's
     *     {@link PoolTimeoutException}, and under it the driver's error while connecting fails), when
     *     {@code maxWaiters} callers already wait, or when the circuit breaker is open
     * @throws SQLNonTransientConnectionException when the data source is closed
     * @throws SQLException when interrupted while waiting (the interrupt flag stays set)
     */
    @Override
    public Connection getConnection() throws SQLException {
        return borrow(null);
    }

    /** @param timeout the wait, or null for {@code acquireTimeout} */
    private Connection borrow(Duration timeout) throws SQLException {
        Running r = running;
        if (r == null) {
            r = startForConnection();
        }
        Lease<PooledConnection> lease;
        try {
            lease = timeout == null ? r.pool.acquire() : r.pool.acquire(timeout);
        } catch (InterruptedException e) {
            throw interrupted(e);
        } catch (PoolException e) {
            throw translate(e);
        }
        return ConnectionProxy.of(r.ctx, lease);
    }

    /** The lazy start of {@code getConnection()}: its failures as the {@code SQLException}s a DataSource throws. */
    private Running startForConnection() throws SQLException {
        try {
            return startOnce();
        } catch (ResourceCreationException e) {
            throw new SQLTransientConnectionException(e.getMessage(), "08001", e);
        } catch (IllegalStateException e) {
            throw new SQLNonTransientConnectionException(e.getMessage(), "08003", e);
        } catch (IllegalArgumentException e) {
            throw new SQLNonTransientConnectionException(poolName() + " - cannot start: " + e.getMessage(), "08001", e);
        }
    }

    /**
     * Borrows a connection, waiting up to {@code timeout} instead of {@code acquireTimeout} (a health
     * check that must answer quickly, say).
     *
     * @param timeout the longest wait; {@link Duration#ZERO} takes an idle connection or fails at once
     * @return a pooled connection
     * @throws SQLException as {@link #getConnection()}
     */
    public Connection getConnection(Duration timeout) throws SQLException {
        return borrow(Objects.requireNonNull(timeout, "timeout must not be null"));
    }

    /**
     * Not supported: every connection of a pool uses the credentials it was built with.
     *
     * @throws SQLFeatureNotSupportedException always
     */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException(poolName() + " - getConnection(username, password) is not supported: a pool's"
                + " connections all use the credentials it was built with; build another PooledDataSource for other credentials");
    }

    private SQLException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new SQLException(poolName() + " - interrupted while waiting for a connection", e);
    }

    private SQLException translate(PoolException e) {
        if (e instanceof PoolTimeoutException || e instanceof PoolExhaustedException || e instanceof CircuitOpenException) {
            String state = e.getCause() instanceof SQLException s ? s.getSQLState() : null;
            return new SQLTransientConnectionException(e.getMessage(), state, e);
        }
        if (e instanceof PoolClosedException) {
            return new SQLNonTransientConnectionException(e.getMessage(), "08003", e);
        }
        return new SQLException(e.getMessage(), e);
    }

    /** @return the writer given to {@link #setLogWriter}, or null; the pool itself logs through slf4j */
    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    /** @param out kept for {@link #getLogWriter()} (the DataSource contract); the pool logs through slf4j, never to it */
    @Override
    public void setLogWriter(PrintWriter out) {
        logWriter = out;
    }

    /**
     * @param seconds how long opening one connection may take, the driver's login timeout too;
     *     0 restores the default (30 s). While the pool runs it applies to the connections opened
     *     from then on (a driver's {@code loginTimeout} property set by the user still wins), as
     *     HikariCP's does; the pool still ends a creation at the login timeout it started with.
     * @throws IllegalArgumentException when negative
     * @throws IllegalStateException once the data source is closed
     */
    @Override
    public void setLoginTimeout(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("loginTimeout must be at least 0 seconds (0: the default, 30 s), but was " + seconds);
        }
        synchronized (lock) {
            notClosed("loginTimeout");
            options.jdbc.loginTimeout = Duration.ofSeconds(seconds == 0 ? 30 : seconds);
            Running r = running;
            if (r != null) {
                r.factory.loginTimeout(options.jdbc.loginTimeout);
            }
        }
    }

    /** @return the login timeout in whole seconds, rounded up */
    @Override
    public int getLoginTimeout() {
        Duration d;
        synchronized (lock) {
            d = options.jdbc.loginTimeout;
        }
        return (int) Math.min(Integer.MAX_VALUE, d.getSeconds() + (d.getNano() > 0 ? 1 : 0));
    }

    /** @throws SQLFeatureNotSupportedException always: the pool logs through slf4j */
    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException(poolName() + " - the pool logs through slf4j, not java.util.logging");
    }

    /**
     * @return this data source, or the driver {@code DataSource} it takes connections from (or what
     *     that unwraps to); does not start the pool
     */
    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        DataSource wrapped = wrapped();
        if (wrapped != null) {
            if (iface.isInstance(wrapped)) {
                return iface.cast(wrapped);
            }
            if (wrapped.isWrapperFor(iface)) {
                return wrapped.unwrap(iface);
            }
        }
        throw new SQLException(poolName() + " - not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        DataSource wrapped = wrapped();
        return iface.isInstance(this) || wrapped != null && (iface.isInstance(wrapped) || wrapped.isWrapperFor(iface));
    }

    private DataSource wrapped() {
        Running r = running;
        return r != null ? r.settings.dataSource : getDataSource();
    }

    // ---- using the pool directly ----

    /**
     * Runs a query on a pooled connection and maps every row.
     *
     * @param sql the query, with {@code ?} for the parameters
     * @param mapper turns the current row into a value
     * @param params bound in order with {@code setObject}
     * @param <T> the value of one row
     * @return the values, in row order
     * @throws SQLException when borrowing, the query, or the mapper fails
     */
    public <T> List<T> query(String sql, RowMapper<? extends T> mapper, Object... params) throws SQLException {
        try (Connection c = getConnection()) {
            return DirectSql.query(c, sql, mapper, params);
        }
    }

    /**
     * Runs an insert, update, delete or DDL statement on a pooled connection, committed (when the
     * pool's connections do not auto-commit, it commits).
     *
     * @param sql the statement, with {@code ?} for the parameters
     * @param params bound in order with {@code setObject}
     * @return the update count
     * @throws SQLException when borrowing or the statement fails
     */
    public int update(String sql, Object... params) throws SQLException {
        try (Connection c = getConnection()) {
            return DirectSql.update(c, sql, params);
        }
    }

    /**
     * Runs {@code work} in one transaction on a pooled connection: auto-commit off, commit when it
     * returns, roll back when it throws anything (the rollback's own failure is added as suppressed)
     * and rethrow that exception unwrapped. The connection goes back to the pool either way, with its
     * auto-commit mode restored.
     *
     * @param work the statements of the transaction
     * @param <R> the result
     * @param <X> the checked exception of the work
     * @return what {@code work} returned
     * @throws X what {@code work} threw
     * @throws SQLException when borrowing, the commit, or switching auto-commit fails
     */
    public <R, X extends Exception> R inTransaction(ConnectionFunction<R, X> work) throws X, SQLException {
        try (Connection c = getConnection()) {
            return DirectSql.inTransaction(c, work);
        }
    }

    // ---- the pool ----

    /** @return the pool's name, the prefix of its logs, threads and JMX name */
    public String name() {
        return poolName();
    }

    /** @return a snapshot of the pool's counts; cheap enough to poll; all zero before the start */
    public PoolStats stats() {
        Running r = running;
        if (r != null) {
            return r.pool.stats();
        }
        return new PoolStats(getMaxSize(), 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0, 0, 0, Duration.ZERO, Duration.ZERO,
                CircuitState.CLOSED);
    }

    /** Closes every idle connection now; borrowed ones are closed when returned (e.g. after a failover). A no-op before the start. */
    public void evictIdle() {
        Running r = running;
        if (r != null) {
            r.pool.evictIdle();
        }
    }

    /** @param maxSize the new capacity; shrinking closes idle connections now and borrowed ones on return ({@link #setMaxSize}) */
    public void resize(int maxSize) {
        setMaxSize(maxSize);
    }

    /**
     * Makes {@code getConnection()} wait until {@link #resume()} (failover).
     *
     * @throws IllegalStateException before the start
     */
    public void suspend() {
        started("suspend").pool.suspend();
    }

    /**
     * Ends a {@link #suspend()}.
     *
     * @throws IllegalStateException before the start
     */
    public void resume() {
        started("resume").pool.resume();
    }

    private Running started(String what) {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException(poolName() + " - " + what + "() needs a started pool: call start() first");
        }
        return r;
    }

    /**
     * Adds a listener of the pool's events (metrics); added before the start, it hears from the start
     * on. The resource each event names is the driver's connection, to tell connections apart: never
     * use it.
     *
     * @param listener the listener
     * @return a registration that removes it
     */
    public Registration addListener(PoolListener<? super Connection> listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        PoolListener<PooledConnection> adapted = ListenerAdapter.of(listener);
        Running r = running;
        if (r != null) {
            return r.pool.addListener(adapted);
        }
        synchronized (lock) {
            r = running;
            if (r != null) {
                return r.pool.addListener(adapted);
            }
            PendingListener l = new PendingListener(adapted);
            pending.add(l);
            return l;
        }
    }

    /** A listener added before the start: attached by the start, removable before and after. Guarded by {@code lock}. */
    private final class PendingListener implements Registration {
        private final PoolListener<PooledConnection> listener;
        private Registration attached;
        private boolean removed;

        PendingListener(PoolListener<PooledConnection> listener) {
            this.listener = listener;
        }

        void attach(Pool<PooledConnection> pool) {
            if (!removed) {
                attached = pool.addListener(listener);
            }
        }

        @Override
        public void close() {
            Registration a;
            synchronized (lock) {
                removed = true;
                pending.remove(this);
                a = attached;
            }
            if (a != null) {
                a.close();
            }
        }
    }

    /** The pool under the data source, for this package's tests; starts it. */
    Pool<PooledConnection> pool() {
        Running r = running;
        return (r != null ? r : startOnce()).pool;
    }

    /**
     * Stops borrowing, closes idle connections, waits up to {@code grace} for borrowed ones, then
     * closes the rest. Before the start, it only closes the data source.
     *
     * @param grace how long to wait for borrowed connections
     * @return true if every borrowed connection came back in time
     * @throws InterruptedException when interrupted while waiting; the shutdown is then forced
     */
    public boolean shutdown(Duration grace) throws InterruptedException {
        Running r;
        synchronized (lock) {
            closed = true;
            r = running;
        }
        return r == null || r.pool.shutdown(grace);
    }

    /** @return whether {@link #close()} or {@link #shutdown} was called */
    public boolean isClosed() {
        return closed;
    }

    /** {@link #shutdown(Duration) shutdown(shutdownTimeout)}; throws no checked exception. */
    @Override
    public void close() {
        Running r;
        synchronized (lock) {
            closed = true;
            r = running;
        }
        if (r != null) {
            r.pool.close();
        }
    }

    /** @return the name, where connections come from (no secret), and the counts or "not started" */
    @Override
    public String toString() {
        Running r = running;
        return "PooledDataSource[" + poolName() + ", " + (r != null ? r.ctx.description + ", " + r.pool.stats().brief() : describe()
                + ", not started") + (closed ? ", closed" : "") + "]";
    }
}
