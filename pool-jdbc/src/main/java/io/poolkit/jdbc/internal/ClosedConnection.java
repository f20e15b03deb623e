package io.poolkit.jdbc.internal;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The stand-in behind a returned connection proxy (HikariCP's closed connection): every call throws
 * "connection is closed", except the ones a closed connection answers ({@code close}, {@code abort},
 * {@code isClosed}, {@code isValid}). Built once per data source; slow paths only.
 */
final class ClosedConnection {
    private ClosedConnection() {
    }

    static Connection create(String name) {
        String message = name + " - connection is closed (used after close(): it went back to the pool);"
                + " get a new one with getConnection()";
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
                            throw new SQLException(message, "08003");
                    }
                });
    }
}
