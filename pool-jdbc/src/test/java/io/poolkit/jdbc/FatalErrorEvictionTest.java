package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.DestroyReason;
import io.poolkit.jdbc.internal.ConnectionProxy;
import io.poolkit.jdbc.testing.FaultyDriver;
import io.poolkit.testkit.Await;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A failure that means "this connection is broken" evicts that connection, and only that one. */
class FatalErrorEvictionTest extends DataSourceTestBase {
    private final FaultyDriver driver = new FaultyDriver();

    private static Connection physical(Connection proxy) {
        return ((ConnectionProxy) proxy).pooled().raw();
    }

    @ParameterizedTest
    @ValueSource(strings = {"08000", "08001", "08003", "08006", "08P01", "57P01", "57P02", "57P03", "57P04", "57P05", "25P03", "0A000",
            "01002", "JZ0C0", "JZ0C1"})
    void standardClassifierTreatsConnectionStatesAsFatal(String state) {
        assertThat(FatalErrorClassifier.standard().isFatal(new SQLException("x", state))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"23505", "42P01", "40001", "57014", "22012", "HY000"})
    void standardClassifierKeepsConnectionsAfterOrdinaryErrors(String state) {
        assertThat(FatalErrorClassifier.standard().isFatal(new SQLException("x", state))).isFalse();
    }

    @Test
    void standardClassifierKnowsTheVendorCodesAndExceptionTypes() {
        assertThat(FatalErrorClassifier.standard().isFatal(new SQLException("x", null, 500150))).isTrue();
        assertThat(FatalErrorClassifier.standard().isFatal(new SQLTimeoutException("x"))).isTrue();
        assertThat(FatalErrorClassifier.standard().isFatal(new SQLRecoverableException("x"))).isTrue();
        assertThat(FatalErrorClassifier.standard().isFatal(new SQLException("x"))).isFalse();
    }

    @Test
    void fatalErrorOfAStatementEvictsOnlyThatConnection() throws Exception {
        PooledDataSource ds = open(h2().driver(driver).maxSize(3).minIdle(3));
        Connection a = ds.getConnection();
        Connection b = ds.getConnection();
        Connection rawA = physical(a);
        Connection rawB = physical(b);
        driver.fail("Statement.executeQuery", new SQLException("terminating connection due to administrator command", "57P01"));
        try (Statement s = a.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("select 1")).hasMessageContaining("administrator command");
        }
        driver.heal();
        exec(b, "select 1");
        a.close();
        b.close();
        Await.until(() -> ds.stats().destroyed() == 1 && ds.stats().destroying() == 0, () -> "one evicted: " + ds.stats());
        assertThat(ds.stats().destroyedBy(DestroyReason.INVALIDATED)).isEqualTo(1);
        assertThat(rawA.isClosed()).as("closed once its destroy finished").isTrue();
        assertThat(rawB.isClosed()).isFalse();
        for (int i = 0; i < 5; i++) {
            try (Connection c = ds.getConnection()) {
                assertThat(physical(c)).isNotSameAs(rawA);
            }
        }
    }

    @Test
    void fatalErrorDeepInTheChainCounts() throws Exception {
        PooledDataSource ds = open(h2().driver(driver).maxSize(1));
        SQLException outer = new SQLException("batch failed", "HY000");
        outer.setNextException(new SQLException("An I/O error occurred while sending to the backend.", "08006"));
        driver.fail("PreparedStatement.executeUpdate", outer);
        Connection c = ds.getConnection();
        Connection raw = physical(c);
        try (PreparedStatement ps = c.prepareStatement("select 1")) {
            assertThatThrownBy(ps::executeUpdate).isSameAs(outer);
        }
        driver.heal();
        c.close();
        try (Connection next = ds.getConnection()) {
            assertThat(physical(next)).isNotSameAs(raw);
        }
    }

    @Test
    void ordinaryErrorKeepsTheConnection() throws Exception {
        PooledDataSource ds = open(h2().driver(driver).maxSize(1));
        Connection raw;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            raw = physical(c);
            assertThatThrownBy(() -> s.execute("select * from no_such_table")).isInstanceOf(SQLException.class);
        }
        try (Connection c = ds.getConnection()) {
            assertThat(physical(c)).isSameAs(raw);
        }
        assertThat(ds.stats().destroyed()).isZero();
    }

    @Test
    void classifierIsOverridable() throws Exception {
        FatalErrorClassifier keep0A000 = e -> !"0A000".equals(e.getSQLState()) && FatalErrorClassifier.standard().isFatal(e);
        PooledDataSource ds = open(h2().driver(driver).maxSize(1).fatalErrors(keep0A000));
        driver.fail("Statement.execute", new SQLException("cached plan must not change result type", "0A000"));
        Connection raw;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            raw = physical(c);
            assertThatThrownBy(() -> s.execute("select 1")).hasMessageContaining("cached plan");
        }
        driver.heal();
        try (Connection c = ds.getConnection()) {
            assertThat(physical(c)).as("kept: the classifier said not fatal").isSameAs(raw);
        }
    }

    @Test
    void classifierThatThrowsCountsAsFatal() throws Exception {
        PooledDataSource ds = open(h2().driver(driver).maxSize(1).fatalErrors(e -> {
            throw new IllegalStateException("broken classifier");
        }));
        Connection raw;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            raw = physical(c);
            assertThatThrownBy(() -> s.execute("select * from no_such_table")).isInstanceOf(SQLException.class);
        }
        try (Connection c = ds.getConnection()) {
            assertThat(physical(c)).isNotSameAs(raw);
        }
    }

    @Test
    void fatalErrorOfAResultSetOrTheConnectionItselfCounts() throws Exception {
        PooledDataSource ds = open(h2().driver(driver).maxSize(1));
        Connection c = ds.getConnection();
        Connection raw = physical(c);
        driver.fail("ResultSet.next", new SQLException("connection lost", "08006"));
        try (Statement s = c.createStatement(); var rs = s.executeQuery("select 1")) {
            assertThatThrownBy(rs::next).hasMessageContaining("connection lost");
        }
        driver.heal();
        c.close();
        Connection c2 = ds.getConnection();
        Connection raw2 = physical(c2);
        assertThat(raw2).isNotSameAs(raw);
        driver.fail("Connection.commit", new SQLException("connection lost", "08003"));
        assertThatThrownBy(c2::commit).hasMessageContaining("connection lost");
        driver.heal();
        c2.close();
        try (Connection c3 = ds.getConnection()) {
            assertThat(physical(c3)).isNotSameAs(raw2);
        }
        assertThat(ds.stats().destroyedBy(DestroyReason.INVALIDATED)).isEqualTo(2);
    }

    @Test
    void failureAfterCloseNeitherEvictsNorTouchesTheNextBorrower() throws Exception {
        PooledDataSource ds = open(h2().driver(driver).maxSize(1));
        Connection stale = ds.getConnection();
        Statement s = stale.createStatement();
        stale.close();
        try (Connection next = ds.getConnection()) {
            assertThatThrownBy(() -> s.execute("select 1")).isInstanceOf(SQLException.class);
            assertThatThrownBy(stale::commit).hasMessageContaining("connection is closed");
        }
        assertThat(ds.stats().destroyed()).isZero();
    }
}
