package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.DestroyReason;
import io.poolkit.jdbc.testing.TcpProxy;
import io.poolkit.testkit.Await;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** P4: an in-use connection on a stalled path fails within the driver's socket timeout, and is replaced after the heal. */
class P4StalledInUseIT extends PgTestBase {

    @Test
    void stalledQueryFailsWithinTheSocketTimeoutAndTheConnectionIsReplaced() throws Exception {
        TcpProxy proxy = proxy();
        PooledDataSource ds = open(pgVia(proxy).maxSize(2).property("socketTimeout", "1"));
        Connection c = ds.getConnection();
        int before = pid(c);
        proxy.stall();
        long start = System.nanoTime();
        Throwable t = catchThrowable(() -> pid(c));
        long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(t).isInstanceOf(SQLException.class);
        assertThat(((SQLException) t).getSQLState()).as("%s", t).startsWith("08");
        assertThat(ms).as("failed within the 1 s socket timeout").isBetween(800L, 3000L);
        c.close(); // returns at once: the rollback of a dead connection is not attempted
        Await.until(() -> ds.stats().destroyedBy(DestroyReason.INVALIDATED) == 1, () -> "evicted: " + ds.stats());
        proxy.heal();
        try (Connection next = ds.getConnection()) {
            assertThat(pid(next)).isNotEqualTo(before);
        }
        Await.until(() -> !backendAlive(before), () -> "the old backend ended when its socket closed");
    }
}
