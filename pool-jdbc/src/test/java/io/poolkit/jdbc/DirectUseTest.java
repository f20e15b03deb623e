package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool used directly, the R pool way: query, update, inTransaction. */
class DirectUseTest extends DataSourceTestBase {

    private PooledDataSource cities() throws SQLException {
        PooledDataSource ds = open(h2().maxSize(2));
        ds.update("create table city(id int primary key, name varchar(40), pop int)");
        ds.update("insert into city values (?, ?, ?), (?, ?, ?), (?, ?, ?)", 1, "Lyon", 520_000, 2, "Arles", 50_000, 3, "Nice", 340_000);
        return ds;
    }

    @Test
    void queryMapsEveryRowWithItsParameters() throws Exception {
        PooledDataSource ds = cities();
        List<String> names = ds.query("select name from city where pop > ? order by name", rs -> rs.getString(1), 100_000);
        assertThat(names).containsExactly("Lyon", "Nice");
        assertThat(ds.query("select count(*) from city where name = ?", rs -> rs.getInt(1), (Object) null)).containsExactly(0);
        assertThat(ds.stats().leased()).isZero();
    }

    @Test
    void updateReturnsTheCountAndCommitsEvenWithoutAutoCommit() throws Exception {
        PooledDataSource ds = open(h2().maxSize(1).autoCommit(false));
        ds.update("create table t(id int)");
        assertThat(ds.update("insert into t values (?), (?)", 1, 2)).isEqualTo(2);
        assertThat(ds.query("select count(*) from t", rs -> rs.getInt(1))).containsExactly(2);
    }

    @Test
    void inTransactionCommitsOnSuccessAndRestoresAutoCommit() throws Exception {
        PooledDataSource ds = cities();
        long id = ds.inTransaction(c -> {
            assertThat(c.getAutoCommit()).isFalse();
            exec(c, "insert into city values (4, 'Metz', 120000)");
            exec(c, "update city set pop = pop + 1 where id = 1");
            return 4L;
        });
        assertThat(id).isEqualTo(4L);
        assertThat(ds.query("select pop from city where id in (1, 4) order by id", rs -> rs.getInt(1))).containsExactly(520_001, 120_000);
        try (Connection c = ds.getConnection()) {
            assertThat(c.getAutoCommit()).isTrue();
        }
    }

    @Test
    void inTransactionRollsBackOnARuntimeExceptionAndRethrowsIt() throws Exception {
        PooledDataSource ds = cities();
        IllegalStateException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> ds.inTransaction(c -> {
            exec(c, "delete from city");
            throw boom;
        })).isSameAs(boom);
        assertThat(ds.query("select count(*) from city", rs -> rs.getInt(1))).containsExactly(3);
    }

    @Test
    void inTransactionRollsBackOnAnSqlExceptionAndRethrowsItUnwrapped() throws Exception {
        PooledDataSource ds = cities();
        assertThatThrownBy(() -> ds.inTransaction(c -> {
            exec(c, "delete from city where id = 1");
            exec(c, "insert into city values (2, 'duplicate', 0)");
            return null;
        })).isInstanceOf(SQLException.class).hasMessageContaining("PRIMARY KEY");
        assertThat(ds.query("select count(*) from city", rs -> rs.getInt(1))).containsExactly(3);
    }

    @Test
    void inTransactionRethrowsTheWorksOwnCheckedException() throws Exception {
        PooledDataSource ds = cities();
        IOException io = new IOException("disk");
        assertThatThrownBy(() -> ds.<Void, IOException>inTransaction(c -> {
            try {
                exec(c, "delete from city");
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            throw io;
        })).isSameAs(io);
        assertThat(ds.query("select count(*) from city", rs -> rs.getInt(1))).containsExactly(3);
    }

    @Test
    void failedRollbackIsAddedAsSuppressedAndTheConnectionDestroyed() throws Exception {
        PooledDataSource ds = cities();
        IllegalStateException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> ds.inTransaction(c -> {
            exec(c, "delete from city");
            c.unwrap(Connection.class).close(); // the connection dies under the transaction
            throw boom;
        })).isSameAs(boom).satisfies(t -> assertThat(t.getSuppressed()).hasSize(1));
        assertThat(ds.query("select count(*) from city", rs -> rs.getInt(1))).containsExactly(3);
    }
}
