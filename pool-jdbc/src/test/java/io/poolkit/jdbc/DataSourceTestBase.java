package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.PoolStats;
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
import org.junit.jupiter.api.Timeout;

/**
 * Data sources on embedded H2 (one in-memory database each), closed after every test once the
 * counts rule has been checked on the pool under them.
 */
@Timeout(60)
abstract class DataSourceTestBase {
    private static final AtomicInteger DB = new AtomicInteger();
    private final List<PooledDataSource> opened = new CopyOnWriteArrayList<>();

    /** @return the URL of a new, empty in-memory database */
    static String h2Url() {
        return "jdbc:h2:mem:pk" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
    }

    /** @return a builder for a new H2 database, user sa, a short acquire timeout */
    static PooledDataSourceBuilder h2() {
        return PooledDataSource.builder().url(h2Url()).username("sa").password("").acquireTimeout(Duration.ofSeconds(5));
    }

    PooledDataSource open(PooledDataSourceBuilder builder) {
        PooledDataSource ds = builder.build();
        opened.add(ds);
        return ds;
    }

    @AfterEach
    void countsRuleHoldsAndDataSourcesClose() throws Exception {
        try {
            for (PooledDataSource ds : opened) {
                PoolChecks.assertCountsRule(ds::stats);
            }
        } finally {
            for (PooledDataSource ds : opened) {
                ds.shutdown(Duration.ofSeconds(10));
            }
        }
        for (PooledDataSource ds : opened) {
            // pool-core: a create started by initializationFailTimeout(FOREVER)'s background warm-up can
            // still land after shutdown returned (reported); it is destroyed when it does
            Await.until(() -> ds.stats().size() == 0, () -> "nothing left after shutdown: " + ds.stats());
            PoolStats st = ds.stats();
            assertThat(st.size()).as("nothing left after shutdown: %s", st).isZero();
            assertThat(st.created()).as("every connection closed: %s", st).isEqualTo(st.destroyed());
        }
    }

    static int count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
