package io.poolkit.jdbc.internal;

import java.sql.CallableStatement;

/**
 * A caller's {@link CallableStatement}: a {@link PreparedStatementProxy}, nothing more (its own
 * methods read and register parameters). The build generates {@code ForwardingCallableStatement},
 * which forwards them. Not thread-safe.
 */
@ForwardingLeaf("ForwardingCallableStatement")
abstract class CallableStatementProxy extends PreparedStatementProxy<CallableStatement> implements CallableStatement {
    CallableStatementProxy(ConnectionProxy connection, CallableStatement delegate) {
        super(connection, delegate);
    }
}
