package io.poolkit.jdbc.internal;

import java.sql.SQLException;
import java.sql.Wrapper;

/**
 * {@code unwrap} and {@code isWrapperFor} of every proxy of a connection. Unwrapping is the one way a
 * caller reaches a driver's object, and from then on the pool cannot tell what the caller does
 * with the connection: the proxy is marked exposed, and its return compares and restores everything.
 */
final class Unwrapping {
    private Unwrapping() {
    }

    /** Unwraps {@code raw}, the driver's object behind a proxy of {@code connection}, and marks the connection exposed. */
    static <T> T unwrap(ConnectionProxy connection, Wrapper raw, Class<T> iface) throws SQLException {
        T unwrapped;
        if (iface.isInstance(raw)) {
            unwrapped = iface.cast(raw);
        } else {
            try {
                unwrapped = raw.unwrap(iface);
            } catch (SQLException e) {
                throw connection.check(e);
            }
        }
        connection.exposed();
        return unwrapped;
    }

    /** Whether {@code raw}, the driver's object behind a proxy of {@code connection}, is or wraps an {@code iface}. */
    static boolean isWrapperFor(ConnectionProxy connection, Wrapper raw, Class<?> iface) throws SQLException {
        try {
            return iface.isInstance(raw) || raw.isWrapperFor(iface);
        } catch (SQLException e) {
            throw connection.check(e);
        }
    }
}
