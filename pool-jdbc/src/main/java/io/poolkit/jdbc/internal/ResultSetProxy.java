package io.poolkit.jdbc.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A caller's result set: {@code getStatement()} returns the statement proxy (a result set of the
 * metadata gets an untracked proxy of its driver's statement), and failures go through the
 * connection's fatal-error check. Not thread-safe.
 */
final class ResultSetProxy extends ResultSetDelegate {
    private final ConnectionProxy connection;
    private final Statement statement;

    ResultSetProxy(ConnectionProxy connection, Statement statement, ResultSet delegate) {
        super(delegate);
        this.connection = connection;
        this.statement = statement;
    }

    @Override
    protected SQLException check(SQLException e) {
        return connection.failed(e);
    }

    @Override
    protected Statement statement(Statement raw) {
        if (statement != null || raw == null) {
            return statement;
        }
        return new StatementProxy(connection, raw);
    }

    // Writes through an updatable result set are work to roll back on return, like a statement's.

    @Override
    public void updateRow() throws SQLException {
        connection.executing();
        super.updateRow();
    }

    @Override
    public void insertRow() throws SQLException {
        connection.executing();
        super.insertRow();
    }

    @Override
    public void deleteRow() throws SQLException {
        connection.executing();
        super.deleteRow();
    }

    @Override
    protected void exposed() {
        connection.exposedByChild();
    }

    @Override
    public String toString() {
        return "ResultSet of " + connection;
    }
}
