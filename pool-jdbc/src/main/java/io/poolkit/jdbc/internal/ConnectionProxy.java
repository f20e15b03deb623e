package io.poolkit.jdbc.internal;

import io.poolkit.Lease;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection a caller holds: one per {@code getConnection()}, forwarding to the pooled driver
 * connection until {@link #close()}, and to the closed stand-in after it.
 *
 * <p>What it tracks for the return path, all of it per lease: the properties the caller changed
 * (with their current values), whether the transaction may hold work (any execute since the last
 * commit or rollback), the statements still open, whether a fatal failure was seen, and whether the
 * caller unwrapped to the driver's connection (then nothing can be assumed and everything is
 * compared and restored), and the metadata handed out. {@code close()} closes the open statements,
 * rolls back (under auto-commit too when the driver reports a transaction opened with SQL:
 * {@link ServerTransaction}), restores only what changed, clears the warnings, cuts the metadata
 * off and returns the connection; when anything of that fails the
 * connection is destroyed instead (counted {@code RESET_FAILED}), and so is one that saw a fatal
 * failure in use ({@code INVALIDATED}): a dirty connection is never handed out.
 *
 * <p>This class is all the behaviour; the build generates {@code ForwardingConnection}, which
 * forwards every other {@link Connection} method to {@link #delegate} (see {@link ForwardingLeaf}).
 * Statements, result sets and metadata handed out lead back here: their failures go through
 * {@link #check}, their executes through {@link #executing()}.
 *
 * <p>Not thread-safe, like the drivers' own connections in practice: one caller at a time, but for
 * {@link #abort}, which JDBC means for another thread (a watchdog). The first of {@code close()} and
 * {@code abort} ends the lease and the other does nothing; an abort touches none of the borrower's
 * state (its statements, its metadata, which die with the aborted connection), so the borrower's
 * thread can go on closing them while it runs.
 */
@ForwardingLeaf("ForwardingConnection")
public abstract class ConnectionProxy implements Connection {
    private static final Logger log = LoggerFactory.getLogger(ConnectionProxy.class);
    private static final AtomicIntegerFieldUpdater<ConnectionProxy> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(ConnectionProxy.class, "ended");

    static final int AUTO_COMMIT = 1;
    static final int ISOLATION = 2;
    static final int READ_ONLY = 4;
    static final int CATALOG = 8;
    static final int SCHEMA = 16;
    static final int NETWORK_TIMEOUT = 32;
    static final int CLIENT_INFO = 64;
    private static final int ALL = 127;

    private final PoolContext ctx;
    private final PooledConnection pc;
    private final Lease<PooledConnection> lease;
    /** The driver's connection, or the closed stand-in once this proxy is returned. */
    Connection delegate;
    /** 1 once {@code close()} or {@code abort} has claimed the end of the lease. */
    private volatile int ended;

    private int dirty;
    private boolean autoCommit;
    private int isolation;
    private boolean readOnly;
    private String catalog;
    private String schema;
    private int networkTimeout;
    /** An execute ran since the last commit or rollback: with auto-commit off, there is work to roll back. */
    private boolean commitDirty;
    /** A fatal failure was seen, or a default could not be read: destroy instead of returning. */
    private boolean broken;
    /** The caller unwrapped to the driver's connection: compare and restore everything. */
    private boolean exposed;

    /** The metadata handed out in this lease (null until asked for): cut off from the connection when it goes back. */
    private List<MetaDataProxy> metaData;

    /** The statements the caller has not closed yet: the pooled connection's list, empty at each borrow. */
    private final OpenStatements statements;

    /** @return the proxy a caller gets for {@code lease}: closing it returns (or destroys) the connection */
    public static ConnectionProxy of(PoolContext ctx, Lease<PooledConnection> lease) {
        return new ForwardingConnection(ctx, lease);
    }

    ConnectionProxy(PoolContext ctx, Lease<PooledConnection> lease) {
        this(ctx, lease, lease.get());
    }

    private ConnectionProxy(PoolContext ctx, Lease<PooledConnection> lease, PooledConnection pc) {
        this.delegate = pc.raw;
        this.ctx = ctx;
        this.pc = pc;
        this.lease = lease;
        this.autoCommit = pc.autoCommit;
        this.statements = pc.statements;
    }

    /** @return the pooled connection behind this proxy (tests and diagnostics) */
    public PooledConnection pooled() {
        return pc;
    }

    // ---- what every proxy of this connection reports here ----

    /** Classifies a failure of the driver (a fatal one: destroyed on close) and returns it to be thrown. */
    final <E extends SQLException> E check(E e) {
        ctx.noticeServerStatementClash(e);
        if (!broken && delegate != ctx.closed && ctx.isFatal(e)) {
            broken = true;
            log.warn("{} - {} failed with SQLState {} ({}); it is destroyed when closed", ctx.name, pc, e.getSQLState(),
                    e.getClass().getSimpleName());
        }
        return e;
    }

    /** Statements and metadata report their work here: the transaction may now hold something. */
    final void executing() {
        commitDirty = true;
    }

    /** The caller reached a driver's object: the pool can no longer tell what it does with the connection. */
    final void exposed() {
        if (!exposed && delegate != ctx.closed) {
            exposed = true;
            if (!pc.learn(ALL)) {
                broken = true;
            }
        }
    }

    // ---- statements and metadata: proxies, never the driver's objects ----

    @Override
    public Statement createStatement() throws SQLException {
        try {
            return statement(delegate.createStatement());
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        try {
            return statement(delegate.createStatement(resultSetType, resultSetConcurrency));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        try {
            return statement(delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        try {
            return prepared(delegate.prepareStatement(sql));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        try {
            return prepared(delegate.prepareStatement(sql, autoGeneratedKeys));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        try {
            return prepared(delegate.prepareStatement(sql, columnIndexes));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        try {
            return prepared(delegate.prepareStatement(sql, columnNames));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        try {
            return prepared(delegate.prepareStatement(sql, resultSetType, resultSetConcurrency));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        try {
            return prepared(delegate.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        try {
            return callable(delegate.prepareCall(sql));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        try {
            return callable(delegate.prepareCall(sql, resultSetType, resultSetConcurrency));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        try {
            return callable(delegate.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        DatabaseMetaData raw;
        try {
            raw = delegate.getMetaData();
        } catch (SQLException e) {
            throw check(e);
        }
        if (raw == null) {
            return null;
        }
        commitDirty = true; // some metadata calls run SQL without returning a result set (pgjdbc's getSQLKeywords)
        MetaDataProxy m = new ForwardingMetaData(this, raw);
        if (metaData == null) {
            metaData = new ArrayList<>(1);
        }
        metaData.add(m);
        return m;
    }

    private Statement statement(Statement raw) {
        return raw == null ? null : track(new ForwardingStatement(this, raw));
    }

    private PreparedStatement prepared(PreparedStatement raw) {
        return raw == null ? null : track(new ForwardingPreparedStatement(this, raw));
    }

    private CallableStatement callable(CallableStatement raw) {
        return raw == null ? null : track(new ForwardingCallableStatement(this, raw));
    }

    // ---- statement tracking ----

    private <S extends StatementProxy<?>> S track(S s) {
        statements.add(s);
        return s;
    }

    void untrack(StatementProxy<?> s) {
        if (delegate == ctx.closed) {
            return; // already closed by the return path; the list belongs to the next borrower now
        }
        statements.remove(s);
    }

    // ---- the tracked setters: capture the default before the first change, then remember the value ----

    private void before(int bit) {
        if ((dirty & bit) == 0 && delegate != ctx.closed && !pc.learn(bit)) {
            broken = true;
        }
    }

    @Override
    public void setAutoCommit(boolean value) throws SQLException {
        try {
            delegate.setAutoCommit(value);
        } catch (SQLException e) {
            throw check(e);
        }
        if (value || autoCommit) {
            commitDirty = false; // on: the driver committed; off from on: no transaction has begun yet
        } // off while already off changes nothing (JDBC): work done so far is still uncommitted
        autoCommit = value;
        dirty |= AUTO_COMMIT;
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        before(ISOLATION);
        try {
            delegate.setTransactionIsolation(level);
        } catch (SQLException e) {
            throw check(e);
        }
        isolation = level;
        dirty |= ISOLATION;
        commitDirty = true;
    }

    @Override
    public void setReadOnly(boolean value) throws SQLException {
        before(READ_ONLY);
        try {
            delegate.setReadOnly(value);
        } catch (SQLException e) {
            throw check(e);
        }
        readOnly = value;
        dirty |= READ_ONLY;
        commitDirty = true;
    }

    @Override
    public void setCatalog(String value) throws SQLException {
        before(CATALOG);
        try {
            delegate.setCatalog(value);
        } catch (SQLException e) {
            throw check(e);
        }
        catalog = value;
        dirty |= CATALOG;
        commitDirty = true;
    }

    @Override
    public void setSchema(String value) throws SQLException {
        before(SCHEMA);
        try {
            delegate.setSchema(value);
        } catch (SQLException e) {
            throw check(e);
        }
        schema = value;
        dirty |= SCHEMA;
        commitDirty = true; // pgjdbc runs SET search_path, which opens a transaction when auto-commit is off
    }

    @Override
    public String getSchema() throws SQLException {
        commitDirty = true; // may run a query
        try {
            return delegate.getSchema();
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        before(NETWORK_TIMEOUT);
        try {
            delegate.setNetworkTimeout(executor, milliseconds);
        } catch (SQLException e) {
            throw check(e);
        }
        networkTimeout = milliseconds;
        dirty |= NETWORK_TIMEOUT;
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        clientInfoChanging();
        try {
            delegate.setClientInfo(name, value);
        } catch (SQLClientInfoException e) {
            throw check(e);
        }
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        clientInfoChanging();
        try {
            delegate.setClientInfo(properties);
        } catch (SQLClientInfoException e) {
            throw check(e);
        }
    }

    /** Client info (pgjdbc's ApplicationName is {@code SET application_name}) is session state the next borrower would see. */
    private void clientInfoChanging() {
        before(CLIENT_INFO);
        dirty |= CLIENT_INFO;
        commitDirty = true; // pgjdbc runs SET, which opens a transaction when auto-commit is off
    }

    @Override
    public void commit() throws SQLException {
        try {
            delegate.commit();
        } catch (SQLException e) {
            throw check(e);
        }
        commitDirty = false;
    }

    @Override
    public void rollback() throws SQLException {
        try {
            delegate.rollback();
        } catch (SQLException e) {
            throw check(e);
        }
        commitDirty = false;
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        try {
            delegate.rollback(savepoint);
        } catch (SQLException e) {
            throw check(e);
        }
        commitDirty = true;
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        commitDirty = true;
        try {
            return delegate.setSavepoint();
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        commitDirty = true;
        try {
            return delegate.setSavepoint(name);
        } catch (SQLException e) {
            throw check(e);
        }
    }

    /**
     * Aborts the driver's connection and destroys it ({@code INVALIDATED}), from any thread: it does
     * not run the return path, whose clean-up is moot for a connection that is going away, so the
     * borrower's own thread may still be closing its statements meanwhile. A no-op once closed.
     */
    @Override
    public void abort(Executor executor) throws SQLException {
        if (!ENDED.compareAndSet(this, 0, 1)) {
            return;
        }
        broken = true;
        Connection raw = delegate;
        try {
            raw.abort(executor);
        } catch (SQLException e) {
            throw check(e);
        } finally {
            delegate = ctx.closed;
            lease.invalidate();
        }
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (delegate == ctx.closed) {
            return delegate.unwrap(iface); // throws "connection is closed"
        }
        return Unwrapping.unwrap(this, delegate, iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        if (delegate == ctx.closed) {
            return delegate.isWrapperFor(iface);
        }
        return Unwrapping.isWrapperFor(this, delegate, iface);
    }

    // ---- the return path ----

    /**
     * Returns the connection: closes the statements left open, rolls back work not committed,
     * restores the properties the caller changed, clears the warnings. Never throws for the
     * connection's sake: when cleaning fails (a dead connection cannot roll back) the connection is
     * destroyed instead. A second close is a no-op.
     */
    @Override
    public void close() {
        Connection raw = delegate;
        if (raw == ctx.closed || !ENDED.compareAndSet(this, 0, 1)) {
            return;
        }
        delegate = ctx.closed;
        if (metaData != null) {
            for (MetaDataProxy m : metaData) {
                m.delegate = ctx.closedMetaData;
            }
            metaData = null;
        }
        boolean brokenInUse = broken; // a fatal failure or an abort while borrowed: INVALIDATED, not a failed reset
        boolean clean = false; // stays false when anything, even an Error, interrupts the cleaning
        try {
            if (statements.size() > 0 && statements.closeAll(ctx, pc)) {
                broken = true; // closing one failed fatally
            }
            if (!broken) {
                if (exposed) {
                    pc.restoreEverything();
                } else {
                    if (commitDirty) {
                        if (!autoCommit) {
                            raw.rollback();
                        } else {
                            pc.rollBackSqlTransaction(); // a BEGIN run as SQL under auto-commit
                        }
                    }
                    if (dirty != 0) {
                        restoreChanged(raw);
                    }
                }
                raw.clearWarnings();
            }
            clean = !broken;
        } catch (SQLException | RuntimeException e) {
            if (!broken) {
                broken = true;
                if (ctx.isFatal(e instanceof SQLException s ? s : new SQLException(e))) {
                    log.debug("{} - cleaning {} on return failed; destroying it", ctx.name, pc, e);
                } else {
                    log.warn("{} - cleaning {} on return failed; destroying it", ctx.name, pc, e);
                }
            }
        } finally {
            if (clean) {
                lease.close();
            } else if (brokenInUse) {
                lease.invalidate();
            } else {
                lease.resetFailed(); // the cleaning itself failed: counted RESET_FAILED
            }
        }
    }

    private void restoreChanged(Connection raw) throws SQLException {
        int d = dirty;
        boolean sessionSql = false;
        if ((d & ISOLATION) != 0 && isolation != pc.isolation) {
            raw.setTransactionIsolation(pc.isolation);
        }
        if ((d & READ_ONLY) != 0 && readOnly != (pc.readOnly == 1)) {
            raw.setReadOnly(pc.readOnly == 1);
        }
        if ((d & CATALOG) != 0 && !Objects.equals(catalog, pc.catalog)) {
            raw.setCatalog(pc.catalog);
            sessionSql = true;
        }
        if ((d & SCHEMA) != 0 && !Objects.equals(schema, pc.schema)) {
            raw.setSchema(pc.schema);
            sessionSql = true;
        }
        if ((d & NETWORK_TIMEOUT) != 0 && networkTimeout != pc.networkTimeout) {
            raw.setNetworkTimeout(Runnable::run, pc.networkTimeout);
        }
        if ((d & CLIENT_INFO) != 0) {
            sessionSql |= pc.restoreClientInfo();
        }
        if ((d & AUTO_COMMIT) != 0 && autoCommit != pc.autoCommit) {
            raw.setAutoCommit(pc.autoCommit);
        } else if (sessionSql && !pc.autoCommit) {
            raw.commit(); // a SET run to restore it opened a transaction; keep it, end the transaction
        }
    }

    @Override
    public String toString() {
        return ctx.name + " - " + pc + (delegate == ctx.closed ? " [closed]" : "");
    }
}
