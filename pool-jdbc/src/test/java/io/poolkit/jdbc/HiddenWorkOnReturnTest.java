package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.jdbc.internal.Secrets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Uncommitted work the proxy could miss, and a password in a URL form it could miss (H2). Found in review. */
class HiddenWorkOnReturnTest extends DataSourceTestBase {

    /** setAutoCommit(false) when already off is a no-op by JDBC: the pending insert must still be rolled back, not committed. */
    @Test
    void repeatedSetAutoCommitFalseDoesNotCommitPendingWorkOnReturn() throws Exception {
        PooledDataSource ds = open(h2().maxSize(1));
        ds.update("create table t(id int)");
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            exec(c, "insert into t values (1)");
            c.setAutoCommit(false); // no-op: the insert is still uncommitted
        }
        try (Connection c = ds.getConnection()) {
            assertThat(count(c, "t")).as("uncommitted insert rolled back").isZero();
        }
    }

    /** Same with a pool whose connections do not auto-commit: the connection comes back with the insert pending. */
    @Test
    void repeatedSetAutoCommitFalseDoesNotHandOutPendingWork() throws Exception {
        PooledDataSource ds = open(h2().maxSize(1).autoCommit(false));
        ds.update("create table t(id int)");
        try (Connection c = ds.getConnection()) {
            exec(c, "insert into t values (1)");
            c.setAutoCommit(false); // no-op
        }
        try (Connection c = ds.getConnection()) {
            assertThat(count(c, "t")).as("the next borrower sees (and would commit) the previous one's insert").isZero();
        }
    }

    /** An updatable result set writes through updateRow(): after a commit that write is uncommitted work too. */
    @Test
    void updateRowAfterCommitIsRolledBackOnReturn() throws Exception {
        PooledDataSource ds = open(h2().maxSize(1).autoCommit(false));
        ds.update("create table t(id int primary key, v int)");
        ds.update("insert into t values (1, 0)");
        try (Connection c = ds.getConnection()) {
            Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
            ResultSet rs = s.executeQuery("select id, v from t");
            c.commit();
            rs.next();
            rs.updateInt(2, 99);
            rs.updateRow();
        }
        assertThat(ds.query("select v from t", r -> r.getInt(1))).as("updateRow not committed by the owner").containsExactly(0);
    }

    /** Oracle's documented thin URL form carries the password as user/password@: it is printed as is. */
    @Test
    void passwordInAnOracleStyleUrlIsMasked() {
        String url = "jdbc:oracle:thin:scott/tiger-s3cret@//db.example:1521/app";
        assertThat(Secrets.redactUrl(url)).doesNotContain("tiger-s3cret");
        assertThat(PooledDataSource.builder().url(url).toString()).doesNotContain("tiger-s3cret");
    }
}
