package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.DestroyReason;
import io.poolkit.jdbc.testing.Pg;
import io.poolkit.testkit.Await;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What one borrower does that the next borrower of the same connection must not see, tried the way
 * a hostile or careless caller would on the real server: a transaction opened with SQL while
 * auto-commit is on, a connection's metadata used after the connection went back.
 */
class BorrowerIsolationIT extends PgTestBase {

    @BeforeEach
    void table() throws SQLException {
        try (Connection c = Pg.connect(); Statement s = c.createStatement()) {
            s.execute("drop table if exists isolation_rows");
            s.execute("create table isolation_rows(id int)");
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
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
    void aTransactionBegunWithSqlWhileAutoCommitIsOnIsRolledBackOnReturn() throws Exception {
        PooledDataSource ds = open(pg().maxSize(1));
        int pid;
        try (Connection c = ds.getConnection()) {
            pid = pid(c);
            exec(c, "begin");
            exec(c, "insert into isolation_rows values (1)");
        }
        assertThat(state(pid)).as("the abandoned transaction is ended on return").isEqualTo("idle");
        try (Connection c = ds.getConnection()) {
            assertThat(pid(c)).as("rolled back, not replaced").isEqualTo(pid);
            assertThat(queryInt(c, "select count(*) from isolation_rows")).as("the next borrower sees no abandoned row").isZero();
            c.setAutoCommit(false);
            exec(c, "insert into isolation_rows values (2)");
            c.commit(); // would commit the abandoned row too, were the transaction still open
        }
        try (Connection c = Pg.connect()) {
            assertThat(queryInt(c, "select count(*) from isolation_rows where id = 1")).as("abandoned work never committed").isZero();
            assertThat(queryInt(c, "select count(*) from isolation_rows where id = 2")).isEqualTo(1);
        }
    }

    @Test
    void aFailedTransactionBegunWithSqlWhileAutoCommitIsOnIsEndedOnReturn() throws Exception {
        PooledDataSource ds = open(pg().maxSize(1));
        try (Connection c = ds.getConnection()) {
            exec(c, "start transaction");
            assertThatThrownBy(() -> exec(c, "select * from no_such_table")).isInstanceOf(SQLException.class);
        }
        try (Connection c = ds.getConnection()) {
            exec(c, "insert into isolation_rows values (3)");
        }
        try (Connection c = Pg.connect()) {
            assertThat(queryInt(c, "select count(*) from isolation_rows")).isEqualTo(1);
        }
        assertThat(ds.stats().created()).isEqualTo(1);
    }

    @Test
    void clientInfoABorrowerSetIsBackToTheDefaultForTheNextOne() throws Exception {
        for (boolean autoCommit : new boolean[] {true, false}) {
            PooledDataSource ds = open(pg().maxSize(1).autoCommit(autoCommit));
            String initial;
            int pid;
            try (Connection c = ds.getConnection()) {
                pid = pid(c);
                initial = queryString(c, "show application_name");
                c.setClientInfo("ApplicationName", "tenant-a");
                assertThat(queryString(c, "show application_name")).isEqualTo("tenant-a");
                if (!autoCommit) {
                    c.commit();
                }
            }
            try (Connection c = ds.getConnection()) {
                assertThat(pid(c)).as("restored, not replaced").isEqualTo(pid);
                assertThat(queryString(c, "show application_name")).as("autoCommit=%s", autoCommit).isEqualTo(initial);
                assertThat(c.getClientInfo("ApplicationName")).isEqualTo(initial);
                c.setClientInfo(new Properties()); // the Properties form clears it: restored too
            }
            assertThat(state(pid)).as("no transaction left open by the restore").isEqualTo("idle");
            try (Connection c = ds.getConnection()) {
                assertThat(queryString(c, "show application_name")).isEqualTo(initial);
            }
        }
    }

    @Test
    void abortFromAnotherThreadEndsTheRunningQueryAndDestroysTheConnection() throws Exception {
        PooledDataSource ds = open(pg().maxSize(1));
        Connection c = ds.getConnection();
        int pid = pid(c);
        CompletableFuture<Throwable> running = new CompletableFuture<>();
        Thread query = new Thread(() -> {
            try (Statement s = c.createStatement()) {
                s.execute("select pg_sleep(60)");
                running.complete(null);
            } catch (Throwable t) {
                running.complete(t);
            }
        }, "abort-it-query");
        query.start();
        Await.until(() -> "active".equals(stateOrNull(pid)), () -> "the query runs on backend " + pid);
        ExecutorService aborter = Executors.newSingleThreadExecutor();
        try {
            c.abort(aborter);
            assertThat(running.get(20, TimeUnit.SECONDS)).as("the running query failed").isInstanceOf(SQLException.class);
            query.join(10_000);
            assertThat(query.isAlive()).isFalse();
        } finally {
            aborter.shutdown();
            assertThat(aborter.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(c.isClosed()).isTrue();
        c.close();
        Await.until(() -> ds.stats().destroyedBy(DestroyReason.INVALIDATED) == 1, () -> "the aborted connection destroyed: " + ds.stats());
        try (Connection next = ds.getConnection()) {
            assertThat(pid(next)).isNotEqualTo(pid);
        }
        // the server notices the closed socket only when pg_sleep ends: end that backend now
        try (Connection admin = Pg.connect(); Statement s = admin.createStatement()) {
            s.execute("select pg_terminate_backend(" + pid + ")");
        }
    }

    private static String stateOrNull(int pid) {
        try {
            return state(pid);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void metadataUsedAfterItsConnectionWentBackRunsNothingOnTheNextBorrowersConnection() throws Exception {
        PooledDataSource ds = open(pg().maxSize(1).autoCommit(false));
        DatabaseMetaData stale;
        int pid;
        try (Connection c = ds.getConnection()) {
            pid = pid(c);
            stale = c.getMetaData();
        }
        try (Connection c = ds.getConnection()) {
            assertThatThrownBy(() -> stale.getTables(null, null, "isolation_rows", null))
                    .isInstanceOf(SQLException.class).hasMessageContaining("closed");
            assertThatThrownBy(stale::getSQLKeywords).isInstanceOf(SQLException.class).hasMessageContaining("closed");
            assertThatThrownBy(stale::getConnection).isInstanceOf(SQLException.class).hasMessageContaining("closed");
            assertThat(c.getMetaData().getURL()).isEqualTo(Pg.URL);
        }
        assertThat(state(pid)).as("no transaction left open behind the borrower's back").isEqualTo("idle");
    }
}
