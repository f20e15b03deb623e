package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.ResourceCreationException;
import io.poolkit.jdbc.testing.CapturingLogs;
import io.poolkit.jdbc.testing.FaultyDriver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A start that cannot open its first connection says why in words that fit the cause, and logs no
 * "retrying" line for a start that has already failed for good.
 */
class StartFailureMessageTest extends DataSourceTestBase {
    private static final String PASSWORD = "Wr0ng-pa55word";

    @BeforeEach
    void forgetEarlierLogs() {
        CapturingLogs.clear();
    }

    @Test
    void refusedCredentialsNameTheUserNeverThePasswordAndDoNotAskWhetherTheDatabaseIsUp() {
        FaultyDriver driver = new FaultyDriver();
        driver.failConnects(new SQLException("FATAL: password authentication failed for user \"app\"", "28P01"));
        Throwable failure = catchThrowable(() -> PooledDataSource.builder().url(h2Url()).driver(driver).username("app").password(PASSWORD)
                .name("auth-db").build());
        assertThat(failure).isInstanceOf(ResourceCreationException.class)
                .hasMessageStartingWith("auth-db - could not open a connection to jdbc:h2:mem:")
                .hasMessageContaining("the database refused the credentials for user app (SQLState 28P01): check the username and the"
                        + " password")
                .hasMessageNotContaining("is the database up").hasMessageNotContaining("keeps trying");
        assertThat(printed(failure)).doesNotContain(PASSWORD);
    }

    @Test
    void aRefusedConnectionNamesTheHostAndPortAndHowToStartAnyway() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        PooledDataSource ds = new PooledDataSource();
        ds.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/app");
        ds.setUsername("app");
        ds.setPassword(PASSWORD);
        ds.setName("refused-db");
        Throwable failure = catchThrowable(ds::getConnection);
        ds.close();
        assertThat(failure).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("nothing accepted the connection at 127.0.0.1:" + port
                        + ": is the database running there, and are the host and port right?")
                .hasMessageContaining("initializationFailTimeout=forever (in the builder initializationFailTimeout(Pool.FOREVER))"
                        + " starts the pool anyway");
        assertThat(printed(failure)).doesNotContain(PASSWORD);
    }

    @Test
    void aFailingConnectionInitSqlIsNamedAndNotBlamedOnTheDatabaseBeingAway() {
        PooledDataSource ds = new PooledDataSource();
        ds.setUrl(h2Url());
        ds.setName("init-db");
        ds.setConnectionInitSql("SET SCHEMA NO_SUCH_SCHEMA");
        Throwable failure = catchThrowable(ds::getConnection);
        ds.close();
        assertThat(failure).isInstanceOf(SQLException.class)
                .hasMessageContaining("the connection opened, but its connectionInitSql failed (SQLState 90079): fix the SQL")
                .hasMessageNotContaining("is the database up").hasMessageNotContaining("keeps trying");
        PooledDataSource schema = new PooledDataSource();
        schema.setUrl(h2Url());
        schema.setName("schema-db");
        schema.setSchema("NO_SUCH_SCHEMA");
        Throwable defaults = catchThrowable(schema::getConnection);
        schema.close();
        assertThat(defaults).hasMessageContaining("the connection opened, but setting its schema failed (SQLState 90079)")
                .hasMessageNotContaining("keeps trying");
    }

    @Test
    void aStartThatFailsForGoodLogsNoRetryWarning() {
        FaultyDriver driver = new FaultyDriver();
        driver.failConnects(new SQLException("Connection refused", "08001"));
        Throwable failure = catchThrowable(() -> PooledDataSource.builder().url(h2Url()).driver(driver).name("gone-db").build());
        assertThat(failure).isInstanceOf(ResourceCreationException.class);
        List<String> warnings = CapturingLogs.events().stream().filter(e -> e.startsWith("WARN") && e.contains("gone-db")).toList();
        assertThat(warnings).as("the start failed at once: the exception is the report").isEmpty();
        assertThat(CapturingLogs.all()).as("the failure is still there for DEBUG readers").contains("gone-db - creating an initial resource"
                + " failed");
    }

    private static String printed(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
