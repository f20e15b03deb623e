package io.poolkit.jdbc.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A caller's {@link PreparedStatement}: a {@link StatementProxy} (all its behaviour) plus the
 * executes without SQL text, which mark the transaction the same way. The build generates
 * {@code ForwardingPreparedStatement}, which forwards the parameter setters and the rest. Not
 * thread-safe.
 *
 * @param <S> the driver's statement type
 */
@ForwardingLeaf("ForwardingPreparedStatement")
abstract class PreparedStatementProxy<S extends PreparedStatement> extends StatementProxy<S> implements PreparedStatement {
    PreparedStatementProxy(ConnectionProxy connection, S delegate) {
        super(connection, delegate);
    }

    @Override
    public final ResultSet executeQuery() throws SQLException {
        connection.executing();
        try {
            return rows(delegate.executeQuery());
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public final boolean execute() throws SQLException {
        connection.executing();
        try {
            return delegate.execute();
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public final int executeUpdate() throws SQLException {
        connection.executing();
        try {
            return delegate.executeUpdate();
        } catch (SQLException e) {
            throw check(e);
        }
    }

    @Override
    public final long executeLargeUpdate() throws SQLException {
        connection.executing();
        try {
            return delegate.executeLargeUpdate();
        } catch (SQLException e) {
            throw check(e);
        }
    }
}
