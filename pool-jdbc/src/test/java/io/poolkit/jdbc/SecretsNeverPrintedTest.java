package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.Pool;
import io.poolkit.jdbc.testing.CapturingLogs;
import io.poolkit.jdbc.testing.FaultyDriver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Passwords never appear in logs, exceptions or {@code toString()}: every log event at every level
 * (TRACE included) is captured, and every exception is printed whole, causes and all, then searched.
 */
class SecretsNeverPrintedTest extends DataSourceTestBase {
    private static final String PASSWORD = "S3cr3t-pa55word";
    private static final String URL_PASSWORD = "Url-hidden-99";
    private static final String PROPERTY_SECRET = "ssl-key-pa55";

    @BeforeEach
    void forgetEarlierLogs() {
        CapturingLogs.clear();
    }

    private static String printed(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    private static void assertNoSecretIn(String what, String text) {
        assertThat(text).as(what).doesNotContain(PASSWORD).doesNotContain(URL_PASSWORD).doesNotContain(PROPERTY_SECRET);
    }

    private static void assertLogsClean() {
        String logs = CapturingLogs.all();
        assertThat(logs).as("something was logged").isNotEmpty();
        assertNoSecretIn("the captured logs", logs);
    }

    @Test
    void workingDataSourceNeverPrintsItsPassword() throws Exception {
        String url = h2Url();
        PooledDataSource ds = open(PooledDataSource.builder().url(url).username("sa").password(PASSWORD).maxSize(2)
                .property("sslpassword", PROPERTY_SECRET).name("secret-test"));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("select 1");
            assertNoSecretIn("connection toString", c.toString());
            assertNoSecretIn("statement toString", s.toString());
            assertThatThrownBy(() -> s.execute("select * from nowhere")).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertNoSecretIn("an SQL error", printed(e)));
        }
        Connection held1 = ds.getConnection();
        Connection held2 = ds.getConnection();
        Throwable timeout = catchThrowable(() -> ds.getConnection(Duration.ofMillis(50)));
        assertThat(timeout).isInstanceOf(SQLException.class);
        assertNoSecretIn("an acquire timeout", printed(timeout));
        held1.close();
        held2.close();
        assertNoSecretIn("data source toString", ds.toString());
        ds.evictIdle();
        ds.close();
        assertThat(PooledDataSource.builder().url(url).password(PASSWORD).toString()).doesNotContain(PASSWORD).contains("****");
        assertLogsClean();
    }

    @Test
    void passwordInTheUrlIsMaskedInMessagesAndToString() throws Exception {
        String url = h2Url() + ";USER=sa;PASSWORD=" + URL_PASSWORD;
        PooledDataSource ds = open(PooledDataSource.builder().url(url).maxSize(1));
        assertThat(ds.toString()).contains("PASSWORD=****").doesNotContain(URL_PASSWORD);
        try (Connection c = ds.getConnection()) {
            assertNoSecretIn("connection toString", c.toString());
        }
        Throwable bad = catchThrowable(() -> PooledDataSource.builder().url("odbc:x;password=" + URL_PASSWORD));
        assertThat(bad).isInstanceOf(IllegalArgumentException.class);
        assertNoSecretIn("url rejected", printed(bad));
        Throwable noDriver = catchThrowable(() -> PooledDataSource.builder().url("jdbc:nosuch://h/db?password=" + URL_PASSWORD).build());
        assertThat(noDriver).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no JDBC driver");
        assertNoSecretIn("no driver", printed(noDriver));
        assertLogsClean();
    }

    @Test
    void driverErrorThatEchoesThePasswordIsScrubbedAtStart() {
        FaultyDriver driver = new FaultyDriver();
        driver.failConnects(new SQLException("FATAL: password authentication failed (sent '" + PASSWORD + "')", "28P01",
                new IllegalStateException("debug: " + PASSWORD)));
        Throwable failure = catchThrowable(() -> PooledDataSource.builder().url(h2Url()).driver(driver).username("app")
                .password(PASSWORD).build());
        assertThat(failure).hasMessageContaining("could not open a connection").hasMessageContaining("as app");
        assertThat(failure.getCause()).isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed")
                .hasMessageContaining("****");
        assertThat(((SQLException) failure.getCause()).getSQLState()).isEqualTo("28P01");
        assertNoSecretIn("the start failure", printed(failure));
        assertLogsClean();
    }

    @Test
    void driverErrorThatEchoesThePasswordIsScrubbedInTimeoutsAndLogs() throws Exception {
        FaultyDriver driver = new FaultyDriver();
        driver.failConnects(new SQLException("cannot log in with " + PASSWORD, "28P01"));
        PooledDataSource ds = open(PooledDataSource.builder().url(h2Url()).driver(driver).username("sa").password(PASSWORD)
                .initializationFailTimeout(Pool.FOREVER).maxSize(1));
        Throwable timeout = catchThrowable(() -> ds.getConnection(Duration.ofMillis(300)));
        assertThat(timeout).isInstanceOf(SQLException.class);
        assertThat(printed(timeout)).contains("cannot log in with ****");
        assertNoSecretIn("the acquire timeout", printed(timeout));
        driver.heal();
        try (Connection c = ds.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
        assertLogsClean();
    }
}
