package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.PoolStats;
import io.poolkit.jdbc.testing.Pg;
import io.poolkit.jdbc.testing.TcpProxy;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.PoolChecks;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tests against the real PostgreSQL: data sources and TCP proxies made here are
 * closed after each test, the proxies' threads checked ended, and the counts rule checked on every
 * pool first. Skipped without PostgreSQL locally, failed without it in CI.
 */
@Timeout(120)
abstract class PgTestBase {
    private static final AtomicInteger N = new AtomicInteger();
    private final List<PooledDataSource> opened = new CopyOnWriteArrayList<>();
    private final List<TcpProxy> proxies = new CopyOnWriteArrayList<>();

    @BeforeEach
    void requirePostgres() {
        Pg.require();
    }

    /** @return a builder for the real server, directly */
    static PooledDataSourceBuilder pg() {
        return PooledDataSource.builder().url(Pg.URL).username(Pg.USER).password(Pg.PASSWORD).name("pg-it-" + N.incrementAndGet())
                .acquireTimeout(Duration.ofSeconds(10)).loginTimeout(Duration.ofSeconds(5));
    }

    /** @return a builder for the real server through {@code proxy} */
    static PooledDataSourceBuilder pgVia(TcpProxy proxy) {
        return pg().url(Pg.urlVia(proxy.port()));
    }

    TcpProxy proxy() throws Exception {
        TcpProxy p = new TcpProxy(Pg.host(), Pg.port());
        proxies.add(p);
        return p;
    }

    PooledDataSource open(PooledDataSourceBuilder builder) {
        PooledDataSource ds = builder.build();
        opened.add(ds);
        return ds;
    }

    @AfterEach
    void countsRuleHoldsAndEverythingCloses() throws Exception {
        proxies.forEach(TcpProxy::heal);
        try {
            for (PooledDataSource ds : opened) {
                PoolChecks.assertCountsRule(ds::stats);
            }
        } finally {
            for (PooledDataSource ds : opened) {
                ds.shutdown(Duration.ofSeconds(10));
            }
            for (TcpProxy p : proxies) {
                p.close();
            }
        }
        for (PooledDataSource ds : opened) {
            Await.until(() -> ds.stats().size() == 0, () -> "nothing left after shutdown: " + ds.stats());
            PoolStats st = ds.stats();
            assertThat(st.created()).as("every connection closed: %s", st).isEqualTo(st.destroyed());
        }
    }

    static int pid(Connection c) throws SQLException {
        return queryInt(c, "select pg_backend_pid()");
    }

    static int queryInt(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** @return whether a backend with this pid is still running (seen from a separate connection) */
    static boolean backendAlive(int pid) {
        try (Connection admin = Pg.connect()) {
            return queryInt(admin, "select count(*) from pg_stat_activity where pid = " + pid) == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("could not ask the server about backend " + pid, e);
        }
    }

    static void terminate(int pid) throws SQLException {
        try (Connection admin = Pg.connect()) {
            assertThat(queryString(admin, "select pg_terminate_backend(" + pid + ")")).isEqualTo("t");
        }
    }
}
