package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.DestroyReason;
import io.poolkit.jdbc.internal.ConnectionProxy;
import io.poolkit.jdbc.testing.FaultyDriver;
import io.poolkit.testkit.Await;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.h2.jdbc.JdbcConnection;
import org.junit.jupiter.api.Test;

/** What {@code Connection.close()} does to a pooled connection before anyone else gets it. */
class ReturnPathTest extends DataSourceTestBase {
    private final FaultyDriver driver = new FaultyDriver();

    private PooledDataSource single() {
        return open(h2().driver(driver).maxSize(1));
    }

    private static Connection physical(Connection proxy) {
        return ((ConnectionProxy) proxy).pooled().raw();
    }

    /** The calls the return path made on the driver's connection. */
    private List<String> connectionCallsDuring(Runnable close) {
        driver.clearCalls();
        close.run();
        return driver.calls().stream().filter(c -> c.startsWith("Connection.")).collect(Collectors.toList());
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void closeReturnsTheConnectionForReuse() throws Exception {
        PooledDataSource ds = single();
        Connection first = ds.getConnection();
        Connection raw = physical(first);
        first.close();
        try (Connection second = ds.getConnection()) {
            assertThat(second).isNotSameAs(first);
            assertThat(physical(second)).isSameAs(raw);
        }
        assertThat(ds.stats().created()).isEqualTo(1);
        assertThat(ds.stats().acquired()).isEqualTo(2);
    }

    @Test
    void closedConnectionThrowsConnectionIsClosedAndSecondCloseIsHarmless() throws Exception {
        PooledDataSource ds = single();
        Connection c = ds.getConnection();
        c.close();
        assertThat(c.isClosed()).isTrue();
        assertThat(c.isValid(1)).isFalse();
        assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class).hasMessageContaining("connection is closed")
                .hasMessageContaining(ds.name());
        assertThatThrownBy(() -> c.setAutoCommit(false)).isInstanceOf(SQLException.class).hasMessageContaining("connection is closed");
        assertThatThrownBy(() -> c.unwrap(Connection.class)).isInstanceOf(SQLException.class).hasMessageContaining("connection is closed");
        assertThatThrownBy(() -> c.setClientInfo("ApplicationName", "x")).as("declares SQLClientInfoException only")
                .isInstanceOf(SQLClientInfoException.class).hasMessageContaining("connection is closed");
        assertThatThrownBy(() -> c.setClientInfo(new Properties())).isInstanceOf(SQLClientInfoException.class)
                .hasMessageContaining("connection is closed");
        c.close();
        assertThat(ds.stats().idle()).isEqualTo(1);
        assertThat(ds.stats().destroyed()).isZero();
    }

    @Test
    void staleProxyCannotTouchTheNextBorrowersConnection() throws Exception {
        PooledDataSource ds = single();
        Connection stale = ds.getConnection();
        stale.close();
        try (Connection next = ds.getConnection()) {
            next.setAutoCommit(false);
            assertThatThrownBy(stale::commit).hasMessageContaining("connection is closed");
            stale.close();
            assertThat(next.getAutoCommit()).isFalse();
            assertThat(ds.stats().leased()).isEqualTo(1);
        }
    }

    @Test
    void statementsLeftOpenAreClosedOnReturn() throws Exception {
        PooledDataSource ds = single();
        Statement s;
        PreparedStatement ps;
        ResultSet rs;
        try (Connection c = ds.getConnection()) {
            s = c.createStatement();
            ps = c.prepareStatement("select 1");
            rs = ps.executeQuery();
            Statement closedByUser = c.createStatement();
            closedByUser.close();
        }
        assertThat(s.isClosed()).isTrue();
        assertThat(ps.isClosed()).isTrue();
        assertThat(rs.isClosed()).isTrue();
        s.close(); // harmless after the return path closed it
        assertThat(ds.stats().idle()).isEqualTo(1);
    }

    @Test
    void uncommittedWorkIsRolledBackBeforeReuse() throws Exception {
        PooledDataSource ds = single();
        ds.update("create table t(id int)");
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            exec(c, "insert into t values (1)");
        }
        try (Connection c = ds.getConnection()) {
            assertThat(c.getAutoCommit()).isTrue();
            assertThat(count(c, "t")).isZero();
        }
        assertThat(ds.stats().created()).as("cleaned, not replaced").isEqualTo(1);
    }

    @Test
    void onlyThePropertiesTheBorrowerChangedAreReset() throws Exception {
        PooledDataSource ds = single();
        Connection c = ds.getConnection();
        c.setReadOnly(true);
        List<String> calls = connectionCallsDuring(() -> closeQuietly(c));
        assertThat(calls).contains("Connection.setReadOnly(false)", "Connection.clearWarnings()")
                .noneMatch(call -> call.startsWith("Connection.setAutoCommit") || call.startsWith("Connection.setTransactionIsolation")
                        || call.startsWith("Connection.setCatalog") || call.startsWith("Connection.setSchema")
                        || call.startsWith("Connection.rollback"));
    }

    @Test
    void untouchedConnectionIsReturnedWithNoResetAndNoRollback() throws Exception {
        PooledDataSource ds = open(h2().driver(driver).maxSize(1).autoCommit(false));
        Connection c = ds.getConnection();
        List<String> calls = connectionCallsDuring(() -> closeQuietly(c));
        assertThat(calls).containsExactly("Connection.clearWarnings()");
    }

    @Test
    void propertySetBackToItsDefaultIsNotResetAgain() throws Exception {
        PooledDataSource ds = single();
        Connection c = ds.getConnection();
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED); // H2's default
        List<String> calls = connectionCallsDuring(() -> closeQuietly(c));
        assertThat(calls).noneMatch(call -> call.startsWith("Connection.setTransactionIsolation"));
    }

    @Test
    void dirtyConnectionIsCleanOnTheNextBorrow() throws Exception {
        PooledDataSource ds = single();
        ds.update("create table t(id int)");
        ds.update("create schema other");
        String schema;
        int isolation;
        try (Connection c = ds.getConnection()) {
            schema = c.getSchema();
            isolation = c.getTransactionIsolation();
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            exec(c, "insert into t values (1)");
            c.setSchema("OTHER");
            c.setNetworkTimeout(Runnable::run, 12_345);
            c.setReadOnly(true);
        }
        try (Connection c = ds.getConnection()) {
            assertThat(c.getAutoCommit()).isTrue();
            assertThat(c.getTransactionIsolation()).isEqualTo(isolation);
            assertThat(c.getSchema()).isEqualTo(schema);
            assertThat(c.isReadOnly()).isFalse();
            assertThat(c.getNetworkTimeout()).isZero();
            assertThat(count(c, "t")).isZero();
        }
        assertThat(ds.stats().created()).isEqualTo(1);
    }

    @Test
    void configuredDefaultsAreAppliedAndRestored() throws Exception {
        String url = h2Url();
        try (PooledDataSource setup = PooledDataSource.builder().url(url).username("sa").password("").build()) {
            setup.update("create schema app");
        }
        PooledDataSource ds = open(PooledDataSource.builder().url(url).username("sa").password("").maxSize(1)
                .autoCommit(false).transactionIsolation(Connection.TRANSACTION_SERIALIZABLE).schema("APP").readOnly(false));
        try (Connection c = ds.getConnection()) {
            assertThat(c.getAutoCommit()).isFalse();
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
            assertThat(c.getSchema()).isEqualTo("APP");
            c.setAutoCommit(true);
            c.setSchema("PUBLIC");
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        }
        try (Connection c = ds.getConnection()) {
            assertThat(c.getAutoCommit()).isFalse();
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
            assertThat(c.getSchema()).isEqualTo("APP");
        }
    }

    @Test
    void failedRollbackOnReturnIsCountedResetFailedNotInvalidated() throws Exception {
        PooledDataSource ds = single();
        Connection c = ds.getConnection();
        Connection raw = physical(c);
        c.setAutoCommit(false);
        exec(c, "select 1");
        driver.fail("Connection.rollback", new SQLException("An I/O error occurred while sending to the backend.", "08006"));
        c.close(); // no exception: the connection is dead, the caller is done with it
        driver.heal();
        Await.until(() -> ds.stats().destroyed() == 1, () -> "the dead connection destroyed: " + ds.stats());
        try (Connection next = ds.getConnection()) {
            assertThat(physical(next)).isNotSameAs(raw);
            assertThat(next.getAutoCommit()).isTrue();
        }
        // the connection's use never failed: its cleaning did (PgBouncer behind a dead server, issue 14)
        assertThat(ds.stats().destroyedBy(DestroyReason.RESET_FAILED)).isEqualTo(1);
        assertThat(ds.stats().destroyedBy(DestroyReason.INVALIDATED)).isZero();
    }

    @Test
    void failedResetOfAPropertyDestroysTheConnectionInsteadOfHandingItOutDirty() throws Exception {
        PooledDataSource ds = single();
        Connection c = ds.getConnection();
        Connection raw = physical(c);
        c.setReadOnly(true);
        driver.fail("Connection.setReadOnly", new SQLException("cannot change it now", "25000"));
        c.close();
        driver.heal();
        try (Connection next = ds.getConnection()) {
            assertThat(physical(next)).isNotSameAs(raw);
            assertThat(next.isReadOnly()).isFalse();
        }
        assertThat(ds.stats().destroyedBy(DestroyReason.RESET_FAILED)).isEqualTo(1);
    }

    @Test
    void errorThrownWhileCleaningDestroysTheConnectionAndPropagates() throws Exception {
        PooledDataSource ds = single();
        Connection c = ds.getConnection();
        Connection raw = physical(c);
        driver.fail("Connection.clearWarnings", new LinkageError("driver bug"));
        assertThatThrownBy(c::close).isInstanceOf(LinkageError.class);
        driver.heal();
        try (Connection next = ds.getConnection()) {
            assertThat(physical(next)).isNotSameAs(raw);
        }
        assertThat(ds.stats().destroyedBy(DestroyReason.RESET_FAILED)).isEqualTo(1);
        assertThat(ds.stats().destroyedBy(DestroyReason.INVALIDATED)).isZero();
    }

    @Test
    void unwrapGivesTheDriversObjectsAndTheReturnPathThenRestoresEverything() throws Exception {
        PooledDataSource ds = single();
        ds.update("create table t(id int)");
        try (Connection c = ds.getConnection()) {
            assertThat(c.isWrapperFor(JdbcConnection.class)).isTrue();
            assertThat(c.isWrapperFor(Connection.class)).isTrue();
            assertThat(c.isWrapperFor(String.class)).isFalse();
            JdbcConnection h2 = c.unwrap(JdbcConnection.class);
            assertThatThrownBy(() -> c.unwrap(String.class)).isInstanceOf(SQLException.class);
            h2.setAutoCommit(false); // behind the proxy's back
            h2.setReadOnly(true);
            try (Statement s = h2.createStatement()) {
                s.execute("insert into t values (1)");
            }
            try (Statement s = c.createStatement()) {
                assertThat(s.isWrapperFor(Statement.class)).isTrue();
                assertThat(s.unwrap(org.h2.jdbc.JdbcStatement.class)).isNotNull();
            }
        }
        try (Connection c = ds.getConnection()) {
            assertThat(c.getAutoCommit()).isTrue();
            assertThat(c.isReadOnly()).isFalse();
            assertThat(count(c, "t")).isZero();
        }
        assertThat(ds.stats().created()).isEqualTo(1);
    }

    @Test
    void proxiesNeverLeadBackToTheDriversObjects() throws Exception {
        PooledDataSource ds = single();
        try (Connection c = ds.getConnection()) {
            Statement s = c.createStatement();
            assertThat(s.getConnection()).isSameAs(c);
            ResultSet rs = s.executeQuery("select 1");
            assertThat(rs.getStatement()).isSameAs(s);
            PreparedStatement ps = c.prepareStatement("select ?");
            assertThat(ps.getConnection()).isSameAs(c);
            ps.setInt(1, 7);
            try (ResultSet r = ps.executeQuery()) {
                assertThat(r.getStatement()).isSameAs(ps);
                r.next();
                assertThat(r.getInt(1)).isEqualTo(7);
            }
            assertThat(c.prepareCall("call 1").getConnection()).isSameAs(c);
            DatabaseMetaData md = c.getMetaData();
            assertThat(md.getConnection()).isSameAs(c);
            try (ResultSet tables = md.getTables(null, null, "%", null)) {
                assertThat(tables.getStatement() == null || tables.getStatement().getConnection() == c).isTrue();
            }
        }
    }

    @Test
    void warningsAreClearedOnReturn() throws Exception {
        PooledDataSource ds = single();
        Connection c = ds.getConnection();
        List<String> calls = connectionCallsDuring(() -> closeQuietly(c));
        assertThat(calls).contains("Connection.clearWarnings()");
        try (Connection next = ds.getConnection()) {
            assertThat((Object) next.getWarnings()).isNull();
        }
    }

    @Test
    void abortedConnectionIsDestroyedNotReturned() throws Exception {
        PooledDataSource ds = single();
        Connection c = ds.getConnection();
        c.abort(Runnable::run);
        assertThat(c.isClosed()).isTrue();
        Await.until(() -> ds.stats().destroyedBy(DestroyReason.INVALIDATED) == 1, () -> "aborted connection destroyed: " + ds.stats());
        c.close();
    }
}
