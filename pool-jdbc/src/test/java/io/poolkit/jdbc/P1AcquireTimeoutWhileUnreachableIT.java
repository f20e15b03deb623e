package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.jdbc.testing.TcpProxy;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** P1: getConnection() ends by its acquire timeout while the database is unreachable (a stalled path). */
class P1AcquireTimeoutWhileUnreachableIT extends PgTestBase {

    @Test
    void everyCallerTimesOutOnTimeWithAnEmptyPoolAndAStalledPath() throws Exception {
        TcpProxy proxy = proxy();
        PooledDataSource ds = open(pgVia(proxy).maxSize(4).acquireTimeout(Duration.ofSeconds(1)).loginTimeout(Duration.ofSeconds(2)));
        ds.evictIdle();
        Await.until(() -> ds.stats().size() == 0, () -> "empty pool: " + ds.stats());
        proxy.stall();
        List<Long> waits = new CopyOnWriteArrayList<>();
        Threads.run(6, Duration.ofSeconds(30), i -> {
            long start = System.nanoTime();
            Throwable t = catchThrowable(ds::getConnection);
            waits.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
            assertThat(t).isInstanceOf(SQLTransientConnectionException.class).hasMessageContaining("acquire timed out after");
        });
        assertThat(waits).hasSize(6).allSatisfy(ms -> assertThat(ms).as("ended by its 1 s deadline").isBetween(900L, 2500L));
        proxy.heal();
        try (Connection c = ds.getConnection()) {
            assertThat(pid(c)).isPositive();
        }
    }

    @Test
    void callerTimesOutOnTimeWhenIdleConnectionsHangInValidation() throws Exception {
        TcpProxy proxy = proxy();
        PooledDataSource ds = open(pgVia(proxy).maxSize(2).minIdle(2).validateAfterIdle(Duration.ZERO)
                .validationTimeout(Duration.ofMillis(700)).acquireTimeout(Duration.ofSeconds(1)).loginTimeout(Duration.ofSeconds(2)));
        Await.until(() -> ds.stats().idle() == 2, () -> "two idle: " + ds.stats());
        proxy.stall();
        long start = System.nanoTime();
        Throwable t = catchThrowable(ds::getConnection);
        long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(t).isInstanceOf(SQLTransientConnectionException.class);
        assertThat(ms).as("ended by its deadline though isValid hung").isBetween(600L, 2500L);
        proxy.heal();
        try (Connection c = ds.getConnection()) {
            assertThat(pid(c)).isPositive();
        }
    }
}
