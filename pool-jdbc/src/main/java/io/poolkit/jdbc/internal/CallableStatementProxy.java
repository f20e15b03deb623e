package io.poolkit.jdbc.internal;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A caller's {@link CallableStatement}: its connection tracks it and closes it on return; its result sets
 * and {@code getConnection()} lead back to proxies, never to the driver's objects; its failures go
 * through the connection's fatal-error check; every execute marks the transaction as holding work.
 * Not thread-safe.
 */
final class CallableStatementProxy extends CallableStatementDelegate<CallableStatement> implements TrackedStatement {
    private final ConnectionProxy connection;
    private boolean closed;

    CallableStatementProxy(ConnectionProxy connection, CallableStatement delegate) {
        super(delegate);
        this.connection = connection;
    }

    @Override
    protected SQLException check(SQLException e) {
        return connection.failed(e);
    }

    @Override
    protected ResultSet wrapResultSet(ResultSet raw) {
        return raw == null ? null : new ResultSetProxy(connection, this, raw);
    }

    @Override
    protected Connection connection(Connection raw) {
        return connection;
    }

    @Override
    protected void executing() {
        connection.executing();
    }

    @Override
    protected void exposed() {
        connection.exposedByChild();
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        connection.untrack(this);
        try {
            delegate.close();
        } catch (SQLException e) {
            throw connection.failed(e);
        }
    }

    @Override
    public void closeForReturn() throws SQLException {
        if (!closed) {
            closed = true;
            delegate.close();
        }
    }

    @Override
    public String toString() {
        return "CallableStatement of " + connection;
    }
}
