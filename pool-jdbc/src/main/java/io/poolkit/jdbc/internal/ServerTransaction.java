package io.poolkit.jdbc.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the server holds a transaction open on a connection whose auto-commit is on: a caller
 * who runs {@code BEGIN} (or {@code START TRANSACTION}) as SQL opens one that JDBC's
 * {@code getAutoCommit()} does not show, and the next borrower's work would run, and be committed,
 * inside it. JDBC has no call for this; pgjdbc tracks the server's own report after every command
 * ({@code BaseConnection.getTransactionState()}, no round trip), and that is what is read here. For
 * other drivers there is no probe, and the return path behaves as HikariCP's does.
 *
 * <p>The probe is looked up once per driver connection class, by name and through public API only,
 * so pool-jdbc needs no dependency on the driver. Thread-safe.
 */
final class ServerTransaction {
    private static final Logger log = LoggerFactory.getLogger(ServerTransaction.class);
    private static final String PG_BASE_CONNECTION = "org.postgresql.core.BaseConnection";

    /** One driver's probe: its state accessor, as {@code (Connection) -> Object}, and the state meaning "no transaction". */
    record Probe(MethodHandle state, Object idle) {
    }

    private static final ClassValue<Probe> PROBES = new ClassValue<>() {
        @Override
        protected Probe computeValue(Class<?> type) {
            Class<?> base = find(type, PG_BASE_CONNECTION);
            if (base == null) {
                return null;
            }
            try {
                Class<?> stateType = base.getMethod("getTransactionState").getReturnType();
                if (!stateType.isEnum()) {
                    return null;
                }
                MethodHandle h = MethodHandles.publicLookup().findVirtual(base, "getTransactionState", MethodType.methodType(stateType))
                        .asType(MethodType.methodType(Object.class, Connection.class));
                return new Probe(h, idle(stateType));
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.debug("{} has no usable getTransactionState(); an SQL BEGIN under auto-commit cannot be seen", type.getName(), e);
                return null;
            }
        }
    };

    private ServerTransaction() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object idle(Class<?> stateType) {
        return Enum.valueOf((Class) stateType, "IDLE");
    }

    /** @return the interface or class of that name among {@code type}'s supertypes, or null */
    private static Class<?> find(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return c;
            }
            for (Class<?> i : c.getInterfaces()) {
                Class<?> found = find(i, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** @return the probe for this driver connection, or null when its driver offers none */
    static Probe probe(Connection raw) {
        return PROBES.get(raw.getClass());
    }

    /**
     * @return whether the server holds a transaction open (or failed) on {@code raw}
     * @throws SQLException when the driver's accessor fails
     */
    static boolean open(Probe probe, Connection raw) throws SQLException {
        Object state;
        try {
            state = probe.state.invokeExact(raw);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new SQLException("could not read the transaction state of the connection", e);
        }
        return state != probe.idle;
    }

    /**
     * Ends the transaction the caller opened with SQL on an auto-commit connection: rolls it back
     * through JDBC (auto-commit off, rollback, auto-commit on again: no SQL text of the pool's, and
     * the driver commits nothing when auto-commit comes back on, the transaction being over).
     */
    static void rollBack(Connection raw) throws SQLException {
        raw.setAutoCommit(false);
        raw.rollback();
        raw.setAutoCommit(true);
    }
}
