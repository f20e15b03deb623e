package io.poolkit.examples;

import io.poolkit.jdbc.PooledDataSource;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JDBC pool on embedded H2: use the pool directly (query, update, inTransaction), or as a plain
 * {@code DataSource}.
 */
public final class JdbcExample {
    private static final String URL = "jdbc:h2:mem:cities;DB_CLOSE_DELAY=-1";

    private JdbcExample() {
    }

    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /** Creates a table, fills it in one transaction, and queries it; returns the names found. */
    public static List<String> run(PrintStream out) throws Exception {
        try (PooledDataSource ds = PooledDataSource.builder().url(URL).username("sa").password("")
                .name("cities").maxSize(4).build()) {
            ds.update("create table if not exists city(id int primary key, name varchar(40), pop int)");
            ds.update("delete from city");
            int inserted = ds.inTransaction(conn -> {
                int n = 0;
                try (PreparedStatement ps = conn.prepareStatement("insert into city values (?, ?, ?)")) {
                    Object[][] rows = {{1, "Lisbon", 545_000}, {2, "Porto", 232_000}, {3, "Braga", 193_000}};
                    for (Object[] row : rows) {
                        ps.setInt(1, (Integer) row[0]);
                        ps.setString(2, (String) row[1]);
                        ps.setInt(3, (Integer) row[2]);
                        n += ps.executeUpdate();
                    }
                }
                return n; // committed together, or rolled back on any exception
            });
            List<String> big = ds.query("select name from city where pop > ? order by name", rs -> rs.getString(1), 200_000);
            out.printf("inserted %d cities in one transaction; over 200,000 people: %s%n", inserted, big);
            out.println("stats: " + ds.stats().brief());
            return big;
        }
    }

    /**
     * One query each way before anything is timed: the first use of a path loads its classes (pool-jdbc's
     * among them), a cost of starting the JVM, not of a query. Timed in, it made the pooled run the slower
     * one in 2 of 6 fresh JVMs on a loaded machine.
     */
    private static void warmUp(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             PreparedStatement ps = c.prepareStatement("select v from t where id = ?")) {
            ps.setInt(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
        try (PooledDataSource ds = PooledDataSource.builder().url(url).username("sa").password("").name("h2-warm-up").maxSize(1)
                .build()) {
            ds.query("select v from t where id = ?", rs -> rs.getInt(1), 1);
        }
    }

    /** The demo's stage: 2,000 queries from 8 threads, a new connection each vs the pool. */
    static Demo.Row demoStage(Demo.Progress progress) throws Exception {
        int threads = 8;
        int perThread = progress.steps(250);
        int total = threads * perThread;
        String url = "jdbc:h2:mem:demo;DB_CLOSE_DELAY=-1";
        progress.say("pool-jdbc: queries on embedded H2 (opening a connection: session, settings, login)");
        AtomicInteger done = new AtomicInteger();
        try (Connection keep = DriverManager.getConnection(url, "sa", "")) {
            keep.createStatement().execute("create table if not exists t(id int primary key, v int)");
            keep.createStatement().execute("merge into t values (1, 42)");
            warmUp(url);
            long start = System.nanoTime();
            DemoThreads.run(threads, () -> {
                for (int i = 0; i < perThread; i++) {
                    try (Connection c = DriverManager.getConnection(url, "sa", "");
                         PreparedStatement ps = c.prepareStatement("select v from t where id = ?")) {
                        ps.setInt(1, 1);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                        }
                    }
                    progress.update("unpooled queries", done.incrementAndGet(), total);
                }
            });
            long unpooled = (System.nanoTime() - start) / 1_000_000;
            done.set(0);
            start = System.nanoTime();
            String stats;
            try (PooledDataSource ds = PooledDataSource.builder().url(url).username("sa").password("")
                    .name("h2").maxSize(8).build()) {
                DemoThreads.run(threads, () -> {
                    for (int i = 0; i < perThread; i++) {
                        ds.query("select v from t where id = ?", rs -> rs.getInt(1), 1);
                        progress.update("pooled queries", done.incrementAndGet(), total);
                    }
                });
                stats = "created " + ds.stats().created() + " connections for " + ds.stats().acquired()
                        + " leases (unpooled: " + total + ")";
            }
            long pooled = (System.nanoTime() - start) / 1_000_000;
            return new Demo.Row("pool-jdbc (H2)", total + " queries, 8 threads", unpooled, pooled, stats);
        }
    }
}
