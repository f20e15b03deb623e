package io.poolkit.jdbc.testing;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The stub driver's rarer objects (prepared and callable statements, result sets, metadata): the
 * hundreds of methods of these interfaces answered by one rule instead of written out. A method
 * returning a connection returns the connection that made the object; one returning a statement, the
 * statement that made it (a result set's {@code getStatement}; {@code null} for metadata's result sets, as
 * JDBC allows); one returning a result set, an empty result set of this object's; one returning a
 * prepared or callable statement or metadata, a new stub of it.
 * {@code close}/{@code isClosed} keep a flag, {@code next} is false, {@code unwrap} follows JDBC (this
 * object if it is an instance, else an {@link SQLException}); everything else answers zero, false or
 * {@code null}. Not thread-safe, like the driver's objects it stands for.
 */
final class StubObjects implements InvocationHandler {
    private final Class<?> type;
    private final Connection connection;
    private final Statement statement;
    private boolean closed;

    private StubObjects(Class<?> type, Connection connection, Statement statement) {
        this.type = type;
        this.connection = connection;
        this.statement = statement;
    }

    /**
     * @param connection the connection that made it (what its {@code getConnection} returns)
     * @param statement the statement that made it, or {@code null} (a metadata result set)
     */
    static <T> T of(Class<T> type, Connection connection, Statement statement) {
        return type.cast(Proxy.newProxyInstance(StubObjects.class.getClassLoader(), new Class<?>[] {type, StubDriver.Stub.class},
                new StubObjects(type, connection, statement)));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws SQLException {
        String name = method.getName();
        Class<?> returns = method.getReturnType();
        if (method.getDeclaringClass() == Object.class) {
            switch (name) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    return "stub " + type.getSimpleName();
            }
        }
        switch (name) {
            case "close":
                closed = true;
                return null;
            case "isClosed":
                return closed;
            case "unwrap":
                if (((Class<?>) args[0]).isInstance(proxy)) {
                    return proxy;
                }
                throw new SQLException("stub " + type.getSimpleName() + " is not a wrapper for " + args[0]);
            case "isWrapperFor":
                return ((Class<?>) args[0]).isInstance(proxy);
            default:
                break;
        }
        if (returns == Connection.class) {
            return connection;
        }
        if (returns == Statement.class) {
            return statement;
        }
        if (returns == ResultSet.class) {
            return of(ResultSet.class, connection, proxy instanceof Statement s ? s : statement);
        }
        if (returns == PreparedStatement.class || returns == CallableStatement.class || returns == DatabaseMetaData.class) {
            return of(returns, connection, null);
        }
        if (returns == Properties.class) {
            return new Properties();
        }
        return zero(returns);
    }

    private static Object zero(Class<?> type) {
        return type.isPrimitive() && type != void.class ? Array.get(Array.newInstance(type, 1), 0) : null;
    }
}
