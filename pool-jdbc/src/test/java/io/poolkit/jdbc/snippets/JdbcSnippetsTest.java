package io.poolkit.jdbc.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.jdbc.FatalErrorClassifier;
import io.poolkit.jdbc.PooledDataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The javadoc examples run, so they stay correct. */
@Timeout(60)
class JdbcSnippetsTest {
    @Test
    void everyJavadocExampleRuns() throws Exception {
        try (Connection c = DriverManager.getConnection(JdbcSnippets.URL, "app", "secret"); Statement s = c.createStatement()) {
            s.execute("create table city (id int primary key, name varchar(40), pop int)");
            s.execute("insert into city values (7, 'Lyon', 522000), (8, 'Annecy', 130000), (9, 'Albi', 49000)");
        }

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        JdbcSnippets.dataSource(new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo("[Annecy, Lyon]; 1 updated, 1 moved" + System.lineSeparator());
        try (PooledDataSource ds = JdbcSnippets.builder()) {
            assertThat(ds.query("select pop from city where id = ?", rs -> rs.getInt(1), 8)).containsExactly(130_500);
        }

        try (PooledDataSource ds = JdbcSnippets.bean()) {
            assertThat(ds.getMaxSize()).isEqualTo(20);
            assertThat(ds.stats().maxSize()).as("the running pool was resized").isEqualTo(20);
            assertThat(ds.query("select count(*) from city", rs -> rs.getInt(1))).containsExactly(3);
        }

        FatalErrorClassifier fatal = JdbcSnippets.classifier();
        assertThat(fatal.isFatal(new SQLException("cached plan must not change result type", "0A000"))).isFalse();
        assertThat(fatal.isFatal(new SQLException("connection lost", "08006"))).isTrue();
        assertThat(fatal.isFatal(new SQLException("syntax error", "42601"))).isFalse();
    }
}
