package io.poolkit.jdbc.internal;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.util.Map;

/**
 * The stand-in behind a returned connection proxy (HikariCP's closed connection): every call throws
 * "connection is closed", except the ones a closed connection answers ({@code close}, {@code abort},
 * {@code isClosed}, {@code isValid}); and the one behind a metadata object of a returned connection.
 * Built once per data source; slow paths only.
 */
final class ClosedConnection {
    private ClosedConnection() {
    }

    private static String message(String name) {
        return name + " - connection is closed (used after close(): it went back to the pool);"
                + " get a new one with getConnection()";
    }

    /**
     * The stand-in behind a caller's {@code DatabaseMetaData} once its connection went back: the
     * driver's metadata would run its queries on the connection of whoever borrows it next.
     */
    static DatabaseMetaData metaData(String name) {
        String message = message(name);
        return (DatabaseMetaData) Proxy.newProxyInstance(ClosedConnection.class.getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "toString":
                            return "metadata of a closed connection of " + name;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new SQLException(message, "08003");
                    }
                });
    }

    static Connection create(String name) {
        String message = message(name);
        return (Connection) Proxy.newProxyInstance(ClosedConnection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close":
                        case "abort":
                            return null;
                        case "isClosed":
                            return Boolean.TRUE;
                        case "isValid":
                            return Boolean.FALSE;
                        case "toString":
                            return "closed connection of " + name;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            if (method.getName().equals("setClientInfo")) {
                                // declares only SQLClientInfoException: anything else would reach the caller undeclared
                                throw new SQLClientInfoException(message, "08003", Map.of());
                            }
                            throw new SQLException(message, "08003");
                    }
                });
    }
}
