package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.jdbc.testing.Pg;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** A metadata call that runs SQL without a result set opens a transaction: it must not be handed out open. Found in review. */
class MetaDataTransactionIT extends PgTestBase {

    private static String state(int pid) throws SQLException {
        try (Connection admin = Pg.connect()) {
            return queryString(admin, "select state from pg_stat_activity where pid = " + pid);
        }
    }

    @Test
    void metadataQueryWithoutAResultSetLeavesNoTransactionOpen() throws Exception {
        PooledDataSource ds = open(pg().maxSize(1).autoCommit(false));
        int pid;
        try (Connection c = ds.getConnection()) {
            pid = pid(c);
            c.commit();
            c.getMetaData().getSQLKeywords(); // pgjdbc runs a query for it
        }
        assertThat(state(pid)).as("returned idle, not idle in transaction").isEqualTo("idle");
        try (Connection c = ds.getConnection()) {
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE); // pgjdbc: not in the middle of a transaction
        }
    }
}
