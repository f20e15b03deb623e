package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.DestroyReason;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolExhaustedException;
import io.poolkit.PoolListener;
import io.poolkit.PoolTimeoutException;
import io.poolkit.Registration;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import javax.management.ObjectName;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The DataSource contract and the pool's management surface. */
class DataSourceApiTest extends DataSourceTestBase {

    @Test
    void acquireTimeoutIsAnSqlTransientConnectionExceptionThatDiagnoses() throws Exception {
        PooledDataSource ds = open(h2().name("orders-db").maxSize(1));
        try (Connection held = ds.getConnection()) {
            long start = System.nanoTime();
            Throwable t = catchThrowable(() -> ds.getConnection(Duration.ofMillis(200)));
            long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat(ms).isBetween(150L, 3000L);
            assertThat(t).isInstanceOf(SQLTransientConnectionException.class)
                    .hasMessageStartingWith("orders-db - acquire timed out after ").hasMessageContaining("leased=1").hasMessageContaining("raise maxSize")
                    .hasCauseInstanceOf(PoolTimeoutException.class);
            assertThat(((SQLException) t).getSQLState()).isNull();
            assertThat(held.isValid(1)).isTrue();
        }
        assertThat(ds.stats().timeouts()).isEqualTo(1);
    }

    @Test
    void getConnectionUsesTheConfiguredAcquireTimeout() throws Exception {
        PooledDataSource ds = open(h2().maxSize(1).acquireTimeout(Duration.ofMillis(100)));
        try (Connection held = ds.getConnection()) {
            long start = System.nanoTime();
            assertThatThrownBy(ds::getConnection).isInstanceOf(SQLTransientConnectionException.class).hasMessageContaining("timed out after");
            assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis()).isBetween(80L, 3000L);
        }
    }

    @Test
    void loadSheddingIsAnSqlTransientConnectionException() throws Exception {
        PooledDataSource ds = open(h2().maxSize(1).maxWaiters(0));
        try (Connection held = ds.getConnection()) {
            assertThatThrownBy(ds::getConnection).isInstanceOf(SQLTransientConnectionException.class)
                    .hasCauseInstanceOf(PoolExhaustedException.class);
        }
    }

    @Test
    void closedDataSourceRefusesWithSqlState08003() throws Exception {
        PooledDataSource ds = open(h2());
        ds.close();
        assertThat(ds.isClosed()).isTrue();
        Throwable t = catchThrowable(ds::getConnection);
        assertThat(t).isInstanceOf(SQLNonTransientConnectionException.class).hasCauseInstanceOf(PoolClosedException.class);
        assertThat(((SQLException) t).getSQLState()).isEqualTo("08003");
    }

    @Test
    void interruptedWaitThrowsAndKeepsTheInterruptFlag() throws Exception {
        PooledDataSource ds = open(h2().maxSize(1));
        Connection held = ds.getConnection();
        CountDownLatch interrupted = new CountDownLatch(1);
        Threads.run(1, Duration.ofSeconds(10), i -> {
            Thread.currentThread().interrupt();
            Throwable t = catchThrowable(() -> ds.getConnection(Duration.ofSeconds(5)));
            assertThat(t).isInstanceOf(SQLException.class).hasMessageContaining("interrupted")
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            interrupted.countDown();
        });
        assertThat(interrupted.getCount()).isZero();
        held.close();
    }

    @Test
    void unsupportedDataSourceMethodsSaySo() throws Exception {
        PooledDataSource ds = open(h2().loginTimeout(Duration.ofMillis(2500)));
        assertThatThrownBy(() -> ds.getConnection("other", "pw")).isInstanceOf(SQLFeatureNotSupportedException.class)
                .hasMessageContaining("build another PooledDataSource").hasMessageNotContaining("pw\"");
        assertThatThrownBy(ds::getParentLogger).isInstanceOf(SQLFeatureNotSupportedException.class);
        assertThat(ds.getLoginTimeout()).as("2.5 s rounded up").isEqualTo(3);
        assertThat(ds.getLogWriter()).isNull();
        PrintWriter out = new PrintWriter(new StringWriter());
        ds.setLogWriter(out);
        assertThat(ds.getLogWriter()).as("kept, as the DataSource contract says").isSameAs(out);
        assertThat(ds.isWrapperFor(DataSource.class)).isTrue();
        assertThat(ds.unwrap(DataSource.class)).isSameAs(ds);
        assertThat(ds.isWrapperFor(String.class)).isFalse();
        assertThatThrownBy(() -> ds.unwrap(String.class)).isInstanceOf(SQLException.class).hasMessageContaining("not a wrapper");
    }

    @Test
    void leakDetectionCountsAConnectionHeldTooLong() throws Exception {
        PooledDataSource ds = open(h2().leakDetection(Duration.ofMillis(50)));
        try (Connection c = ds.getConnection()) {
            Await.until(() -> ds.stats().leaksSuspected() == 1, () -> "a leak suspected: " + ds.stats());
        }
    }

    @Test
    void jmxRegistersThePoolUnderItsName() throws Exception {
        PooledDataSource ds = open(h2().name("jmx-jdbc-test").jmx(true));
        ObjectName name = new ObjectName("io.poolkit:type=Pool,name=jmx-jdbc-test");
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isTrue();
        ds.close();
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isFalse();
    }

    @Test
    void listenersSeeTheDriversConnections() throws Exception {
        PooledDataSource ds = open(h2().maxSize(1));
        List<String> events = new CopyOnWriteArrayList<>();
        Registration r = ds.addListener(new PoolListener<Connection>() {
            @Override
            public void acquired(Connection c, long waitNanos) {
                events.add("acquired " + (c instanceof org.h2.jdbc.JdbcConnection));
            }

            @Override
            public void returned(Connection c, long heldNanos) {
                events.add("returned");
            }

            @Override
            public void destroyed(Connection c, DestroyReason reason) {
                events.add("destroyed " + reason);
            }
        });
        try (Connection c = ds.getConnection()) {
            c.abort(Runnable::run);
        }
        r.close();
        try (Connection c = ds.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
        assertThat(events).containsExactly("acquired true", "returned", "destroyed INVALIDATED");
    }

    @Test
    void evictIdleAndResizeAndSuspendWork() throws Exception {
        PooledDataSource ds = open(h2().maxSize(3).minIdle(2));
        assertThat(ds.stats().idle()).isGreaterThanOrEqualTo(2);
        ds.setMinIdle(0);
        Await.until(() -> {
            ds.evictIdle(); // again if a refill started before minIdle went to 0 lands afterwards
            return ds.stats().size() == 0;
        }, () -> "evicted: " + ds.stats());
        assertThat(ds.stats().destroyedBy(DestroyReason.EVICTED)).as("every connection, none used").isEqualTo(ds.stats().created());
        ds.resize(1);
        assertThat(ds.stats().maxSize()).isEqualTo(1);
        ds.suspend();
        assertThatThrownBy(() -> ds.getConnection(Duration.ofMillis(50))).isInstanceOf(SQLTransientConnectionException.class);
        ds.resume();
        try (Connection c = ds.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
        assertThat(ds.name()).startsWith("jdbc-pool-");
    }
}
