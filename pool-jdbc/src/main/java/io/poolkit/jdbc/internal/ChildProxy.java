package io.poolkit.jdbc.internal;

import java.sql.SQLException;
import java.sql.Wrapper;

/**
 * What every proxy a connection proxy hands out shares (statements, result sets, metadata): the
 * connection it reports to, the driver's object it stands for, the fatal-error check its failures
 * go through, and unwrapping, which marks the connection exposed. Not thread-safe.
 *
 * @param <D> the driver's object type
 */
abstract class ChildProxy<D extends Wrapper> implements Wrapper {
    final ConnectionProxy connection;
    /**
     * The driver's object; a metadata proxy's becomes the closed stand-in when its connection goes
     * back ({@link ConnectionProxy#close()}), since metadata queries run on the connection.
     */
    D delegate;

    ChildProxy(ConnectionProxy connection, D delegate) {
        this.connection = connection;
        this.delegate = delegate;
    }

    /** Classifies a failure of the driver through the connection (a fatal one: destroyed on close) and returns it. */
    final <E extends SQLException> E check(E e) {
        return connection.check(e);
    }

    @Override
    public final <T> T unwrap(Class<T> iface) throws SQLException {
        return Unwrapping.unwrap(connection, delegate, iface);
    }

    @Override
    public final boolean isWrapperFor(Class<?> iface) throws SQLException {
        return Unwrapping.isWrapperFor(connection, delegate, iface);
    }
}
