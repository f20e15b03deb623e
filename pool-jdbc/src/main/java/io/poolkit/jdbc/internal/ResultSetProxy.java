package io.poolkit.jdbc.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A caller's result set: {@code getStatement()} returns the statement proxy (a result set of the
 * metadata gets an untracked proxy of its driver's statement), writes through an updatable result
 * set mark the transaction like an execute, and failures go through the connection's fatal-error
 * check. The build generates {@code ForwardingResultSet}, which forwards the getters, the updaters
 * and the cursor moves (see {@link ForwardingLeaf}). Not thread-safe.
 */
@ForwardingLeaf("ForwardingResultSet")
abstract class ResultSetProxy extends ChildProxy<ResultSet> implements ResultSet {
    private final Statement statement;

    ResultSetProxy(ConnectionProxy connection, Statement statement, ResultSet delegate) {
        super(connection, delegate);
        this.statement = statement;
    }

    @Override
    public final Statement getStatement() throws SQLException {
        Statement raw;
        try {
            raw = delegate.getStatement();
        } catch (SQLException e) {
            throw check(e);
        }
        if (statement != null || raw == null) {
            return statement;
        }
        return new ForwardingStatement(connection, raw);
    }

    // Writes through an updatable result set are work to roll back on return, like a statement's.

    @Override
    public final void updateRow() throws SQLException {
        connection.executing();
        try {
            delegate.updateRow();
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public final void insertRow() throws SQLException {
        connection.executing();
        try {
            delegate.insertRow();
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public final void deleteRow() throws SQLException {
        connection.executing();
        try {
            delegate.deleteRow();
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public String toString() {
        return "ResultSet of " + connection;
    }
}
