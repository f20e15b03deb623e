package io.poolkit.jdbc;

import io.poolkit.CircuitOpenException;
import io.poolkit.DestroyReason;
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
import io.poolkit.jdbc.internal.JdbcSettings;
import io.poolkit.jdbc.internal.PoolContext;
import io.poolkit.jdbc.internal.PooledConnection;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} whose connections come from a poolkit pool: {@code getConnection()} borrows,
 * {@code Connection.close()} returns.
 *
 * {@snippet class=io.poolkit.jdbc.snippets.JdbcSnippets region=data-source}
 *
 * <p><b>What a returned connection goes through.</b> Statements left open are closed; work not
 * committed is rolled back; the properties the borrower changed (auto-commit, isolation,
 * read-only, catalog, schema, network timeout), and only those, are set back; warnings are
 * cleared. A connection whose use threw a fatal error ({@link FatalErrorClassifier}), or whose
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
 * <p>Credentials never appear in logs, messages or {@code toString()}. Thread-safe; the connections
 * it hands out are for one thread at a time, like the drivers'.
 */
public final class PooledDataSource implements DataSource, AutoCloseable {
    private final String name;
    private final PoolContext ctx;
    private final Pool<PooledConnection> pool;
    private final JdbcSettings settings;
    private volatile boolean closed;

    PooledDataSource(String name, JdbcSettings settings, List<Consumer<PoolBuilder<PooledConnection>>> coreOptions, int minIdle,
            Duration initializationFailTimeout) {
        this.name = name;
        this.settings = settings;
        this.ctx = new PoolContext(name, settings.describe(), settings.classifier, settings.secrets());
        ConnectionFactory factory = new ConnectionFactory(ctx, settings);
        PoolBuilder<PooledConnection> b = Pool.builder(factory)
                .name(name)
                .maxLifetime(Duration.ofMinutes(30))
                .createTimeout(settings.loginTimeout)
                .initialSize(Math.max(1, minIdle))
                .initializationFailTimeout(initializationFailTimeout);
        coreOptions.forEach(o -> o.accept(b));
        // minIdle is set once the initial connections are open: pool-core's warm-up at build() does
        // not count the minIdle refill running beside it, which opens extra connections and, when
        // minIdle == maxSize, takes every slot so that build() fails (reported to pool-core)
        b.minIdle(0);
        try {
            this.pool = b.build();
        } catch (ResourceCreationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ResourceCreationException(name + " - could not open a connection to " + ctx.description + " at start ("
                    + cause + "); is the database up and reachable from here? initializationFailTimeout(Pool.FOREVER) starts"
                    + " the pool anyway and keeps trying in the background", cause);
        }
        pool.setMinIdle(minIdle);
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
        Lease<PooledConnection> lease;
        try {
            lease = pool.acquire();
        } catch (InterruptedException e) {
            throw interrupted(e);
        } catch (PoolException e) {
            throw translate(e);
        }
        return ConnectionProxy.of(ctx, lease);
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
        Lease<PooledConnection> lease;
        try {
            lease = pool.acquire(timeout);
        } catch (InterruptedException e) {
            throw interrupted(e);
        } catch (PoolException e) {
            throw translate(e);
        }
        return ConnectionProxy.of(ctx, lease);
    }

    /**
     * Not supported: every connection of a pool uses the credentials it was built with.
     *
     * @throws SQLFeatureNotSupportedException always
     */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException(name + " - getConnection(username, password) is not supported: a pool's"
                + " connections all use the credentials it was built with; build another PooledDataSource for other credentials");
    }

    private SQLException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new SQLException(name + " - interrupted while waiting for a connection", e);
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

    /** @return null: the pool logs through slf4j */
    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    /**
     * Not supported: the pool logs through slf4j.
     *
     * @throws SQLFeatureNotSupportedException always
     */
    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        throw new SQLFeatureNotSupportedException(name + " - setLogWriter is not supported: the pool logs through slf4j");
    }

    /**
     * Not supported once built.
     *
     * @throws SQLFeatureNotSupportedException always: set {@code loginTimeout} on the builder
     */
    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        throw new SQLFeatureNotSupportedException(name + " - setLoginTimeout(" + seconds + ") is not supported after build:"
                + " set loginTimeout(..) on the builder");
    }

    /** @return the login timeout in whole seconds, rounded up */
    @Override
    public int getLoginTimeout() {
        Duration d = settings.loginTimeout;
        return (int) Math.min(Integer.MAX_VALUE, d.getSeconds() + (d.getNano() > 0 ? 1 : 0));
    }

    /** @throws SQLFeatureNotSupportedException always: the pool logs through slf4j */
    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException(name + " - the pool logs through slf4j, not java.util.logging");
    }

    /**
     * @return this data source, or the wrapped driver {@code DataSource} (or what it unwraps to)
     */
    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        DataSource wrapped = settings.dataSource;
        if (wrapped != null) {
            if (iface.isInstance(wrapped)) {
                return iface.cast(wrapped);
            }
            if (wrapped.isWrapperFor(iface)) {
                return wrapped.unwrap(iface);
            }
        }
        throw new SQLException(name + " - not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        DataSource wrapped = settings.dataSource;
        return iface.isInstance(this) || wrapped != null && (iface.isInstance(wrapped) || wrapped.isWrapperFor(iface));
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
        try (Connection c = getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
                return rows;
            }
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
        try (Connection c = getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            int n = ps.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return n;
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
            if (c.getAutoCommit()) {
                c.setAutoCommit(false);
            }
            R result;
            try {
                result = work.apply(c);
            } catch (Throwable t) {
                try {
                    c.rollback();
                } catch (SQLException | RuntimeException rollback) {
                    t.addSuppressed(rollback);
                }
                throw t;
            }
            c.commit();
            return result;
        }
    }

    private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }

    // ---- the pool ----

    /** @return the pool's name, the prefix of its logs, threads and JMX name */
    public String name() {
        return name;
    }

    /** @return a snapshot of the pool's counts; cheap enough to poll */
    public PoolStats stats() {
        return pool.stats();
    }

    /** Closes every idle connection now; borrowed ones are closed when returned (e.g. after a failover). */
    public void evictIdle() {
        pool.evictIdle();
    }

    /** @param maxSize the new capacity; shrinking closes idle connections now and borrowed ones on return */
    public void resize(int maxSize) {
        pool.resize(maxSize);
    }

    /** @param minIdle the idle connections kept ready */
    public void setMinIdle(int minIdle) {
        pool.setMinIdle(minIdle);
    }

    /** Makes {@code getConnection()} wait until {@link #resume()} (failover). */
    public void suspend() {
        pool.suspend();
    }

    /** Ends a {@link #suspend()}. */
    public void resume() {
        pool.resume();
    }

    /**
     * Adds a listener of the pool's events (metrics). The resource each event names is the driver's
     * connection, to tell connections apart: never use it.
     *
     * @param listener the listener
     * @return a registration that removes it
     */
    public Registration addListener(PoolListener<? super Connection> listener) {
        return pool.addListener(new PoolListener<>() {
            @Override
            public void created(PooledConnection r) {
                listener.created(r.raw());
            }

            @Override
            public void createFailed(Throwable failure) {
                listener.createFailed(failure);
            }

            @Override
            public void acquired(PooledConnection r, long waitNanos) {
                listener.acquired(r.raw(), waitNanos);
            }

            @Override
            public void returned(PooledConnection r, long heldNanos) {
                listener.returned(r.raw(), heldNanos);
            }

            @Override
            public void destroyed(PooledConnection r, DestroyReason reason) {
                listener.destroyed(r.raw(), reason);
            }

            @Override
            public void timedOut(long waitNanos) {
                listener.timedOut(waitNanos);
            }

            @Override
            public void rejected(PoolException reason) {
                listener.rejected(reason);
            }

            @Override
            public void leakSuspected(PooledConnection r, long heldNanos, Throwable acquiredAt) {
                listener.leakSuspected(r.raw(), heldNanos, acquiredAt);
            }

            @Override
            public void circuitOpened(Throwable lastFailure) {
                listener.circuitOpened(lastFailure);
            }

            @Override
            public void circuitHalfOpen() {
                listener.circuitHalfOpen();
            }

            @Override
            public void circuitClosed() {
                listener.circuitClosed();
            }
        });
    }

    /** The pool under the data source, for this package's tests. */
    Pool<PooledConnection> pool() {
        return pool;
    }

    /**
     * Stops borrowing, closes idle connections, waits up to {@code grace} for borrowed ones, then
     * closes the rest.
     *
     * @param grace how long to wait for borrowed connections
     * @return true if every borrowed connection came back in time
     * @throws InterruptedException when interrupted while waiting; the shutdown is then forced
     */
    public boolean shutdown(Duration grace) throws InterruptedException {
        closed = true;
        return pool.shutdown(grace);
    }

    /** @return whether {@link #close()} or {@link #shutdown} was called */
    public boolean isClosed() {
        return closed;
    }

    /** {@link #shutdown(Duration) shutdown(shutdownTimeout)}; throws no checked exception. */
    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    @Override
    public String toString() {
        return "PooledDataSource[" + name + ", " + ctx.description + ", " + pool.stats().brief() + (closed ? ", closed" : "") + "]";
    }
}
