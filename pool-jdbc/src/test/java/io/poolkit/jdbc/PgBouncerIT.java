package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.DestroyReason;
import io.poolkit.PoolStats;
import io.poolkit.jdbc.testing.CapturingLogs;
import io.poolkit.jdbc.testing.Pg;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Services;
import io.poolkit.testkit.Threads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behind PgBouncer in transaction pooling mode ({@code .ci/services/pgbouncer.sh}), how users
 * outgrow one server's connection limit: several data sources, many threads, prepared statements
 * and transactions, some abandoned half-way. Nothing abandoned is ever committed, what was
 * committed adds up, and a connection whose rollback fails on return is destroyed as RESET_FAILED.
 * pgjdbc needs {@code prepareThreshold=0} here (PgBouncer 1.18 does not carry named prepared
 * statements from one server connection to the next).
 */
@Timeout(240)
class PgBouncerIT extends PgTestBase {
    static final String URL = env("POOLKIT_PGBOUNCER_URL", "jdbc:postgresql://127.0.0.1:6433/poolkit");
    private static final String TABLE = "poolkit_pgbouncer_ledger";
    private final String run = UUID.randomUUID().toString();

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    @BeforeAll
    static void createTheTable() throws SQLException {
        Pg.require();
        try (Connection c = Pg.connect(); Statement s = c.createStatement()) {
            s.execute("create table if not exists " + TABLE + " (id bigserial primary key, run text not null, worker int not null,"
                    + " amount int not null, abandoned boolean not null)");
        }
    }

    @BeforeEach
    void requirePgBouncer() {
        String problem = null;
        try (Connection c = new org.postgresql.Driver().connect(URL + "?prepareThreshold=0", credentials())) {
            if (c == null || !c.isValid(5)) {
                problem = "PgBouncer at " + URL + " did not answer";
            }
        } catch (SQLException e) {
            problem = "PgBouncer not reachable at " + URL + " (" + e.getMessage() + "); run `bash .ci/services/pgbouncer.sh` as root,"
                    + " or set POOLKIT_PGBOUNCER_URL";
        }
        Services.require(problem == null, problem);
    }

    private static java.util.Properties credentials() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", Pg.USER);
        p.setProperty("password", Pg.PASSWORD);
        p.setProperty("loginTimeout", "5");
        return p;
    }

    private static PooledDataSourceBuilder viaPgBouncer(String name, int maxSize) {
        return pg().url(URL).name(name).property("prepareThreshold", "0").property("socketTimeout", "30").maxSize(maxSize)
                .acquireTimeout(Duration.ofSeconds(30));
    }

    private long count(String where) throws SQLException {
        try (Connection c = Pg.connect();
                PreparedStatement ps = c.prepareStatement("select count(*) from " + TABLE + " where run = ? and " + where)) {
            ps.setString(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long committedSum() throws SQLException {
        try (Connection c = Pg.connect();
                PreparedStatement ps = c.prepareStatement("select coalesce(sum(amount), 0) from " + TABLE + " where run = ? and not abandoned")) {
            ps.setString(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** What one iteration of a worker does with its transaction. */
    private enum Ending { COMMIT, CLOSED_UNCOMMITTED, THREAD_DIES, CANCELLED }

    private static Ending pick(Random random) {
        int r = random.nextInt(100);
        return r < 70 ? Ending.COMMIT : r < 85 ? Ending.CLOSED_UNCOMMITTED : r < 97 ? Ending.THREAD_DIES : Ending.CANCELLED;
    }

    @Test
    void manyThreadsOnSeveralPoolsNeverCommitAbandonedWorkAndTheTotalsMatch() throws Exception {
        List<PooledDataSource> pools = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pools.add(open(viaPgBouncer("pgbouncer-" + i, 6)));
        }
        AtomicLong committedAmount = new AtomicLong();
        AtomicLong committedRows = new AtomicLong();
        Map<Ending, AtomicInteger> endings = new ConcurrentHashMap<>();
        AtomicInteger dirtyBorrows = new AtomicInteger();
        int threads = 60;
        int iterations = 25;
        Threads.run(threads, Duration.ofMinutes(3), worker -> {
            Random random = new Random(worker * 7919L);
            PooledDataSource ds = pools.get(worker % pools.size());
            for (int i = 0; i < iterations; i++) {
                Ending ending = pick(random);
                endings.computeIfAbsent(ending, e -> new AtomicInteger()).incrementAndGet();
                int[] amounts = {1 + random.nextInt(100), 1 + random.nextInt(100), 1 + random.nextInt(100)};
                try (Connection c = ds.getConnection()) {
                    if (!c.getAutoCommit()) {
                        dirtyBorrows.incrementAndGet();
                    }
                    c.setAutoCommit(false);
                    try (PreparedStatement insert = c.prepareStatement("insert into " + TABLE
                            + " (run, worker, amount, abandoned) values (?, ?, ?, ?)")) {
                        for (int amount : amounts) {
                            insert.setString(1, run);
                            insert.setInt(2, worker);
                            insert.setInt(3, amount);
                            insert.setBoolean(4, ending != Ending.COMMIT);
                            insert.executeUpdate();
                        }
                    }
                    switch (ending) {
                        case COMMIT -> {
                            c.commit();
                            committedRows.addAndGet(amounts.length);
                            committedAmount.addAndGet(amounts[0] + amounts[1] + amounts[2]);
                        }
                        case CLOSED_UNCOMMITTED -> {
                            // returned with the work neither committed nor rolled back: the pool rolls it back
                        }
                        case THREAD_DIES -> throw new ThreadDeathLike();
                        case CANCELLED -> {
                            try (Statement s = c.createStatement()) {
                                s.setQueryTimeout(1); // pgjdbc cancels it through PgBouncer: the transaction is aborted
                                s.execute("select pg_sleep(5)");
                            } catch (SQLException expected) {
                                assertThat(expected.getSQLState()).isEqualTo("57014");
                            }
                        }
                        default -> throw new AssertionError(ending);
                    }
                } catch (ThreadDeathLike dies) {
                    // the connection was closed by try-with-resources on the way out, as a dying thread's would be
                }
            }
        });
        assertThat(dirtyBorrows).as("a borrowed connection was never in a transaction").hasValue(0);
        assertThat(count("abandoned")).as("abandoned work committed (endings %s)", endings).isZero();
        assertThat(count("not abandoned")).isEqualTo(committedRows.get());
        assertThat(committedSum()).isEqualTo(committedAmount.get());
        for (PooledDataSource ds : pools) {
            PoolStats st = ds.stats();
            assertThat(st.leased()).as("all returned: %s", st).isZero();
            assertThat(st.destroyedBy(DestroyReason.RESET_FAILED) + st.destroyedBy(DestroyReason.INVALIDATED))
                    .as("no connection broke: rollback and cancel work through PgBouncer: %s", st).isZero();
        }
    }

    /** A throwable that stands for a thread dying half-way through its transaction. */
    private static final class ThreadDeathLike extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ThreadDeathLike() {
            super("the worker dies mid-transaction", null, false, false);
        }
    }

    @Test
    void aConnectionWhoseRollbackFailsOnReturnIsDestroyedAsResetFailed() throws Exception {
        PooledDataSource ds = open(viaPgBouncer("pgbouncer-reset", 1));
        Connection c = ds.getConnection();
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement("insert into " + TABLE + " (run, worker, amount, abandoned)"
                + " values (?, 0, 1, true)")) {
            insert.setString(1, run);
            insert.executeUpdate();
        }
        int pid;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            pid = rs.getInt(1); // the server connection PgBouncer gave this transaction
        }
        terminate(pid); // the server connection dies under PgBouncer, as in a failover or a restart
        Await.until(() -> !backendAlive(pid), () -> "backend " + pid + " ended");
        c.close(); // the rollback fails: PgBouncer lost the server connection in mid-transaction
        Await.until(() -> ds.stats().destroyed() == 1, () -> "the connection destroyed: " + ds.stats());
        assertThat(ds.stats().destroyedBy(DestroyReason.RESET_FAILED)).as("%s", ds.stats()).isEqualTo(1);
        assertThat(ds.stats().destroyedBy(DestroyReason.INVALIDATED)).isZero();
        assertThat(count("abandoned")).as("the server's end rolled it back").isZero();
        try (Connection next = ds.getConnection(); Statement s = next.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
            assertThat(next.getAutoCommit()).isTrue();
            assertThat(rs.next()).isTrue();
        }
    }

    @Test
    void pgjdbcsServerPreparedStatementsClashingBehindPgBouncerAreExplainedOnceWithTheFix() throws Exception {
        CapturingLogs.clear();
        // without prepareThreshold=0, as a user who has not read the README would start
        PooledDataSource a = open(pg().url(URL).name("pgbouncer-prepared-a").maxSize(1));
        PooledDataSource b = open(pg().url(URL).name("pgbouncer-prepared-b").maxSize(1));
        SQLException clash = null;
        for (int round = 0; round < 5 && clash == null; round++) {
            for (PooledDataSource ds : List.of(a, b)) {
                try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("select ?::int + " + round)) {
                    for (int i = 0; i < 7; i++) { // pgjdbc prepares it on the server from the 5th execution on, as S_1
                        ps.setInt(1, i);
                        ps.executeQuery().close();
                    }
                } catch (SQLException e) {
                    clash = e;
                    break;
                }
            }
        }
        assertThat((Throwable) clash).as("the clients' S_1 met on a server connection PgBouncer shared").isNotNull();
        assertThat(clash.getSQLState()).isIn("42P05", "26000");
        List<String> explained = CapturingLogs.events().stream().filter(e -> e.startsWith("WARN") && e.contains("prepareThreshold=0")).toList();
        assertThat(explained).as("one WARN naming the pool and the fix: %s", CapturingLogs.all()).hasSize(1);
        assertThat(explained.get(0)).contains("pgbouncer-prepared-").contains("PgBouncer in transaction mode")
                .contains("dataSource.prepareThreshold=0");
    }
}
