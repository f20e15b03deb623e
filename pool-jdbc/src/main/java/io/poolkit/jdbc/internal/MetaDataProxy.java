package io.poolkit.jdbc.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A caller's database metadata: {@code getConnection()} returns the connection proxy, result sets are
 * proxies, and each query it runs marks the transaction as holding work (drivers answer most of
 * these with SQL). Not thread-safe.
 */
final class MetaDataProxy extends DatabaseMetaDataDelegate {
    private final ConnectionProxy connection;

    MetaDataProxy(ConnectionProxy connection, DatabaseMetaData delegate) {
        super(delegate);
        this.connection = connection;
    }

    @Override
    protected SQLException check(SQLException e) {
        return connection.failed(e);
    }

    @Override
    protected ResultSet wrapResultSet(ResultSet raw) {
        connection.executing();
        return raw == null ? null : new ResultSetProxy(connection, null, raw);
    }

    @Override
    protected Connection connection(Connection raw) {
        return connection;
    }

    @Override
    protected void exposed() {
        connection.exposedByChild();
    }

    @Override
    public String toString() {
        return "DatabaseMetaData of " + connection;
    }
}
