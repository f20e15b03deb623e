package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.DestroyReason;
import io.poolkit.Pool;
import io.poolkit.testkit.Await;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** P3: a connection whose backend was terminated is evicted and never handed out again. */
class P3TerminatedBackendIT extends PgTestBase {

    private static int[] pidsOfAll(PooledDataSource ds, int n) throws SQLException {
        Connection[] held = new Connection[n];
        int[] pids = new int[n];
        for (int i = 0; i < n; i++) {
            held[i] = ds.getConnection();
            pids[i] = pid(held[i]);
        }
        for (Connection c : held) {
            c.close();
        }
        return pids;
    }

    @Test
    void terminatedIdleConnectionIsCaughtOnBorrowAndNeverHandedOut() throws Exception {
        PooledDataSource ds = open(pg().maxSize(3).minIdle(3).validateAfterIdle(Duration.ZERO));
        Await.until(() -> ds.stats().idle() == 3, () -> "three idle: " + ds.stats());
        int victim = pidsOfAll(ds, 3)[1];
        terminate(victim);
        Await.until(() -> !backendAlive(victim), () -> "backend " + victim + " gone");
        for (int round = 0; round < 10; round++) {
            for (int pid : pidsOfAll(ds, 3)) {
                assertThat(pid).isNotEqualTo(victim);
            }
        }
        assertThat(ds.stats().destroyedBy(DestroyReason.VALIDATION_FAILED)).isEqualTo(1);
    }

    @Test
    void terminatedConnectionFailsOnceWithFatalStateAndIsEvictedOnClose() throws Exception {
        PooledDataSource ds = open(pg().maxSize(2).minIdle(2).validateAfterIdle(Pool.FOREVER));
        Await.until(() -> ds.stats().idle() == 2, () -> "two idle: " + ds.stats());
        int[] pids = pidsOfAll(ds, 2);
        terminate(pids[0]);
        Await.until(() -> !backendAlive(pids[0]), () -> "backend gone");
        int failures = 0;
        for (int round = 0; round < 10; round++) {
            Connection[] held = {ds.getConnection(), ds.getConnection()};
            for (Connection c : held) {
                Throwable t = catchThrowable(() -> pid(c));
                if (t != null) {
                    failures++;
                    assertThat(t).isInstanceOf(SQLException.class);
                    assertThat(((SQLException) t).getSQLState()).as("fatal state of %s", t).matches("57P01|08.*");
                } else {
                    assertThat(pid(c)).isNotEqualTo(pids[0]);
                }
            }
            for (Connection c : held) {
                c.close();
            }
        }
        assertThat(failures).as("only the caller that got it before anyone knew").isEqualTo(1);
        Await.until(() -> ds.stats().destroyedBy(DestroyReason.INVALIDATED) == 1, () -> "evicted: " + ds.stats());
        assertThat(ds.stats().destroyed()).as("only that one: %s", ds.stats()).isEqualTo(1);
    }
}
