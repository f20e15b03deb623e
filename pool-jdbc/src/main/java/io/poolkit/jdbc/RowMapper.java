package io.poolkit.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Turns the current row of a result set into a value; see {@link PooledDataSource#query}.
 *
 * @param <T> the value of one row
 */
@FunctionalInterface
public interface RowMapper<T> {
    /**
     * @param row the result set, positioned on the row to map; do not move it
     * @return the row's value
     * @throws SQLException when reading the row fails
     */
    T map(ResultSet row) throws SQLException;
}
