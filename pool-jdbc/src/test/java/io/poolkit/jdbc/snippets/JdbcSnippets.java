package io.poolkit.jdbc.snippets;

import io.poolkit.jdbc.FatalErrorClassifier;
import io.poolkit.jdbc.PooledDataSource;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The examples in pool-jdbc's javadoc, as compiled code: each {@code @start region=...} is shown by a
 * {@code {@snippet class=io.poolkit.jdbc.snippets.JdbcSnippets region=...}} tag (javadoc runs on the
 * JDK 21+ leg with {@code --snippet-path} pointing at src/test/java). They run on an in-memory H2
 * database and print to the stream the test gives; the {@code @replace} markup shows the PostgreSQL
 * URL and {@code System.out} a reader would write instead.
 * {@code JdbcSnippetsTest} runs them.
 */
final class JdbcSnippets {
    /** The database the examples run on (H2, in memory, kept until the JVM ends; unknown driver properties ignored). */
    static final String URL = "jdbc:h2:mem:app;DB_CLOSE_DELAY=-1;IGNORE_UNKNOWN_SETTINGS=TRUE";

    private JdbcSnippets() {
    }

    /** Prints to {@code out} what it found and changed (the javadoc shows System.out). */
    static void dataSource(PrintStream out) throws SQLException {
        // @start region="data-source"
        try (PooledDataSource ds = PooledDataSource.builder()
                .url(URL).username("app").password("secret") // @replace regex='URL' replacement='"jdbc:postgresql://127.0.0.1/app"'
                .maxSize(10).minIdle(2).build()) {
            List<String> names = ds.query("select name from city where pop > ? order by name", rs -> rs.getString(1), 100_000);
            int n = ds.update("update city set pop = pop + 1 where id = ?", 7);
            long moved = ds.inTransaction(conn -> {
                // several statements on conn: committed together, or rolled back on any exception
                try (Statement s = conn.createStatement()) {
                    s.executeUpdate("update city set pop = pop - 500 where id = 7");
                    return (long) s.executeUpdate("update city set pop = pop + 500 where id = 8");
                }
            });
            out.printf("%s; %d updated, %d moved%n", names, n, moved); // @replace regex='out[.]' replacement='System.out.'
        }
        // @end
    }

    static PooledDataSource builder() {
        // @start region="builder"
        PooledDataSource ds = PooledDataSource.builder()
                .url(URL).username("app").password("secret") // @replace regex='URL' replacement='"jdbc:postgresql://127.0.0.1/app"'
                .property("socketTimeout", "30")
                .maxSize(10).minIdle(2)
                .build();
        // @end
        return ds;
    }

    /** @return the data source, started and resized (the caller closes it) */
    static PooledDataSource bean() throws SQLException {
        // @start region="bean"
        PooledDataSource ds = new PooledDataSource();
        ds.setUrl(URL); // @replace regex='URL' replacement='"jdbc:postgresql://127.0.0.1/app"'
        ds.setUsername("app");
        ds.setPassword("secret");
        ds.setMaxSize(10);
        ds.setMinIdle(2);
        try (Connection c = ds.getConnection()) { // starts the pool
            // ...
        }
        ds.setMaxSize(20);                         // resizes the running pool
        // @end
        return ds;
    }

    static FatalErrorClassifier classifier() {
        // @start region="classifier"
        // keep connections after "cached plan must not change result type" (SQLState 0A000)
        FatalErrorClassifier fatal = e -> !"0A000".equals(e.getSQLState()) && FatalErrorClassifier.standard().isFatal(e);
        // @end
        return fatal;
    }
}
