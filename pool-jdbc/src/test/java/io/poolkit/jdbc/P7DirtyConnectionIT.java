package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.jdbc.testing.Pg;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** P7: a connection returned dirty (changed properties, an uncommitted INSERT) is clean on the next borrow, on the real server. */
class P7DirtyConnectionIT extends PgTestBase {

    @BeforeEach
    void schema() throws SQLException {
        try (Connection c = Pg.connect()) {
            exec(c, "create schema if not exists p7");
            exec(c, "drop table if exists p7_rows");
            exec(c, "create table p7_rows(id int)");
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** @return the server's view of the session: idle, or idle in transaction */
    private static String state(int pid) throws SQLException {
        try (Connection admin = Pg.connect()) {
            return queryString(admin, "select state from pg_stat_activity where pid = " + pid);
        }
    }

    @Test
    void changedPropertiesAndUncommittedInsertAreGoneOnTheNextBorrow() throws Exception {
        PooledDataSource ds = open(pg().maxSize(1));
        int pid;
        String schema;
        try (Connection c = ds.getConnection()) {
            pid = pid(c);
            schema = c.getSchema();
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            exec(c, "insert into p7_rows values (1)");
            c.setSchema("p7");
            c.setNetworkTimeout(Runnable::run, 4_321);
            assertThat(state(pid)).isEqualTo("idle in transaction");
        }
        assertThat(state(pid)).as("rolled back on return").isEqualTo("idle");
        try (Connection c = ds.getConnection()) {
            assertThat(pid(c)).as("cleaned, not replaced").isEqualTo(pid);
            assertThat(c.getAutoCommit()).isTrue();
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
            assertThat(queryString(c, "show transaction_isolation")).isEqualTo("read committed");
            assertThat(c.getSchema()).isEqualTo(schema);
            assertThat(c.getNetworkTimeout()).isZero();
            assertThat(queryInt(c, "select count(*) from p7_rows")).isZero();
        }
    }

    @Test
    void readOnlyAndAnAbortedTransactionAreCleared() throws Exception {
        PooledDataSource ds = open(pg().maxSize(1));
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false); // pgjdbc applies read-only to transactions (BEGIN READ ONLY)
            c.setReadOnly(true);
            assertThat(queryString(c, "show transaction_read_only")).isEqualTo("on");
        }
        try (Connection c = ds.getConnection()) {
            assertThat(c.isReadOnly()).isFalse();
            c.setAutoCommit(false);
            assertThat(queryString(c, "show transaction_read_only")).isEqualTo("off");
            c.rollback();
            assertThatThrownBy(() -> exec(c, "select * from no_such_table")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> exec(c, "select 1")).hasMessageContaining("current transaction is aborted");
        }
        try (Connection c = ds.getConnection()) {
            exec(c, "insert into p7_rows values (2)");
            assertThat(queryInt(c, "select count(*) from p7_rows")).isEqualTo(1);
        }
        assertThat(ds.stats().created()).isEqualTo(1);
    }

    @Test
    void schemaRestoredOnAPoolWithoutAutoCommitStaysRestoredAndLeavesNoTransactionOpen() throws Exception {
        PooledDataSource ds = open(pg().maxSize(1).autoCommit(false));
        int pid;
        String schema;
        try (Connection c = ds.getConnection()) {
            pid = pid(c);
            schema = c.getSchema();
            c.setSchema("p7");
        }
        assertThat(state(pid)).as("no transaction left open by the restore").isEqualTo("idle");
        try (Connection c = ds.getConnection()) {
            assertThat(c.getSchema()).isEqualTo(schema);
            c.rollback(); // a caller's rollback must not undo the restored schema
            assertThat(c.getSchema()).isEqualTo(schema);
        }
    }
}
