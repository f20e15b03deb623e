package io.poolkit.jdbc;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.util.Set;

/**
 * Decides which driver failures mean "this connection is broken": a connection whose use threw
 * such a failure is destroyed when it is closed (only that connection; the others stay), instead of
 * going back to the pool. The pool asks about every link of the failure: the exception itself, the
 * chain of {@link SQLException#getNextException()} and the {@code SQLException} causes.
 *
 * {@snippet class=io.poolkit.jdbc.snippets.JdbcSnippets region=classifier}
 *
 * <p>Must be thread-safe and fast; it runs on the thread that saw the failure. An exception it
 * throws is treated like {@code true}.
 */
@FunctionalInterface
public interface FatalErrorClassifier {

    /**
     * @param failure one link of a failure the driver threw
     * @return {@code true} when the connection that threw it must not be reused
     */
    boolean isFatal(SQLException failure);

    /**
     * The rules HikariCP and pgjdbc apply:
     * <ul>
     * <li>SQLState class {@code 08} (connection exception: refused, lost, I/O error, protocol violation);
     * <li>PostgreSQL's {@code 57P01} admin shutdown (also {@code pg_terminate_backend}), {@code 57P02}
     *     crash shutdown, {@code 57P03} cannot connect now, {@code 57P04} database dropped,
     *     {@code 57P05} idle-session timeout, and {@code 25P03} idle-in-transaction timeout: the server
     *     has ended the session;
     * <li>{@code 0A000} as HikariCP does: pgjdbc reports "cached plan must not change result type"
     *     with it, and only a new connection clears the stale plans;
     * <li>{@code 01002} disconnect error, Sybase/jTDS {@code JZ0C0}/{@code JZ0C1}; vendor codes
     *     500150 and 2399 (Redshift, SQL Server) and 1105;
     * <li>{@link SQLTimeoutException} (HikariCP: the connection's state is unknown after a timeout)
     *     and {@link SQLRecoverableException} (by the JDBC spec, recovery means at least a new
     *     connection).
     * </ul>
     *
     * @return the standard classifier
     */
    static FatalErrorClassifier standard() {
        return Standard.INSTANCE;
    }

    /** The default rules; see {@link #standard()}. */
    final class Standard implements FatalErrorClassifier {
        static final Standard INSTANCE = new Standard();
        private static final Set<String> STATES = Set.of(
                "57P01", "57P02", "57P03", "57P04", "57P05", "25P03", "0A000", "01002", "JZ0C0", "JZ0C1");
        private static final Set<Integer> CODES = Set.of(500150, 2399, 1105);

        private Standard() {
        }

        @Override
        public boolean isFatal(SQLException e) {
            String state = e.getSQLState();
            return state != null && (state.startsWith("08") || STATES.contains(state))
                    || CODES.contains(e.getErrorCode())
                    || e instanceof SQLTimeoutException
                    || e instanceof SQLRecoverableException;
        }

        @Override
        public String toString() {
            return "FatalErrorClassifier.standard()";
        }
    }
}
