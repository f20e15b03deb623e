package io.poolkit.jdbc;

import java.sql.Connection;

/**
 * Work done with a pooled connection inside one transaction; see {@link PooledDataSource#inTransaction}.
 *
 * @param <R> the result
 * @param <X> the checked exception the work may throw (inferred: {@code SQLException} for most work)
 */
@FunctionalInterface
public interface ConnectionFunction<R, X extends Exception> {
    /**
     * @param connection the connection, with auto-commit off; do not keep it, commit, or close it
     * @return the result
     * @throws X rethrown unwrapped after the rollback
     */
    R apply(Connection connection) throws X;
}
