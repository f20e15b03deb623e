package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.DestroyReason;
import io.poolkit.jdbc.testing.Pg;
import io.poolkit.testkit.Await;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** P2: a database restart is invisible to callers that borrow idle connections afterwards. */
class P2RestartIT extends PgTestBase {

    @Test
    void restartIsInvisibleToCallersBorrowingAfterwards() throws Exception {
        Pg.requireRestart();
        PooledDataSource ds = open(pg().maxSize(4).minIdle(4).validateAfterIdle(Duration.ofMillis(100))
                .createRetry(Duration.ofMillis(20), Duration.ofMillis(500)));
        Await.until(() -> ds.stats().idle() == 4, () -> "four idle: " + ds.stats());
        Set<Integer> before = new HashSet<>();
        Connection[] held = new Connection[4];
        for (int i = 0; i < 4; i++) {
            held[i] = ds.getConnection();
            before.add(pid(held[i]));
        }
        for (Connection c : held) {
            c.close();
        }

        Pg.restartFast();

        Set<Integer> after = new HashSet<>();
        for (int round = 0; round < 10; round++) {
            Connection[] batch = new Connection[4];
            for (int i = 0; i < 4; i++) {
                batch[i] = ds.getConnection();
                after.add(pid(batch[i])); // no exception: the callers never see the restart
            }
            for (Connection c : batch) {
                c.close();
            }
        }
        assertThat(after).doesNotContainAnyElementsOf(before);
        assertThat(ds.stats().destroyedBy(DestroyReason.VALIDATION_FAILED)).as("the dead ones were caught on borrow: %s", ds.stats())
                .isEqualTo(4);
        assertThat(ds.stats().destroyedBy(DestroyReason.INVALIDATED)).as("no caller hit a dead one").isZero();
    }
}
