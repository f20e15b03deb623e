package io.poolkit.jdbc.internal;

import io.poolkit.jdbc.ConnectionFunction;
import io.poolkit.jdbc.RowMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bodies of {@code PooledDataSource}'s one-call helpers ({@code query}, {@code update},
 * {@code inTransaction}) on a connection the caller borrowed and closes.
 */
public final class DirectSql {
    private DirectSql() {
    }

    /** Runs a query and maps every row, in row order. */
    public static <T> List<T> query(Connection c, String sql, RowMapper<? extends T> mapper, Object[] params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
                return rows;
            }
        }
    }

    /** Runs a statement and commits it when the connection does not auto-commit; the update count. */
    public static int update(Connection c, String sql, Object[] params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            int n = ps.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return n;
        }
    }

    /**
     * Runs {@code work} in one transaction: auto-commit off, commit when it returns, roll back when
     * it throws anything (the rollback's own failure added as suppressed) and rethrow it unwrapped.
     */
    public static <R, X extends Exception> R inTransaction(Connection c, ConnectionFunction<R, X> work) throws X, SQLException {
        if (c.getAutoCommit()) {
            c.setAutoCommit(false);
        }
        R result;
        try {
            result = work.apply(c);
        } catch (Throwable t) {
            try {
                c.rollback();
            } catch (SQLException | RuntimeException rollback) {
                t.addSuppressed(rollback);
            }
            throw t;
        }
        c.commit();
        return result;
    }

    private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }
}
