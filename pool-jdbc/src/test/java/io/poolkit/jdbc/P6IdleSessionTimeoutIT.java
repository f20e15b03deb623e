package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.DestroyReason;
import io.poolkit.Pool;
import io.poolkit.jdbc.testing.Pg;
import io.poolkit.testkit.Await;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * P6: a server idle limit ({@code idle_session_timeout}, here 1.5 s per session) is survived with
 * keepalive or maxLifetime below it. A control session with the same limit and no pool shows when
 * the server has enforced it; borrows are not validated, so a killed connection would surface.
 */
class P6IdleSessionTimeoutIT extends PgTestBase {
    private static final String LIMIT = "SET idle_session_timeout = '1500ms'";

    /** Waits until the server has killed an idle session with the same limit: the limit really fired. */
    private static void awaitTheServerEnforcingTheLimit() throws Exception {
        int control;
        try (Connection c = Pg.connect(); Statement s = c.createStatement()) {
            s.execute(LIMIT);
            control = pid(c);
            Await.until(Duration.ofSeconds(20), () -> !backendAlive(control), () -> "the control session killed by the server");
        }
    }

    @Test
    void keepaliveBelowTheServerIdleLimitKeepsTheSameConnectionsAlive() throws Exception {
        PooledDataSource ds = open(pg().maxSize(2).minIdle(2).connectionInitSql(LIMIT).keepaliveInterval(Duration.ofMillis(400))
                .validateAfterIdle(Pool.FOREVER));
        Await.until(() -> ds.stats().idle() == 2, () -> "two idle: " + ds.stats());
        int a;
        int b;
        try (Connection c1 = ds.getConnection(); Connection c2 = ds.getConnection()) {
            a = pid(c1);
            b = pid(c2);
        }
        awaitTheServerEnforcingTheLimit();
        awaitTheServerEnforcingTheLimit(); // twice: more than 3 s of pool idleness
        try (Connection c1 = ds.getConnection(); Connection c2 = ds.getConnection()) {
            assertThat(Set.of(pid(c1), pid(c2))).containsExactlyInAnyOrder(a, b);
        }
        assertThat(ds.stats().created()).as("nothing was replaced: %s", ds.stats()).isEqualTo(2);
    }

    @Test
    void maxLifetimeBelowTheServerIdleLimitRetiresConnectionsBeforeTheServerKillsThem() throws Exception {
        PooledDataSource ds = open(pg().maxSize(2).minIdle(2).connectionInitSql(LIMIT).maxLifetime(Duration.ofMillis(1000))
                .validateAfterIdle(Pool.FOREVER));
        Await.until(() -> ds.stats().idle() == 2, () -> "two idle: " + ds.stats());
        awaitTheServerEnforcingTheLimit();
        awaitTheServerEnforcingTheLimit();
        for (int round = 0; round < 3; round++) {
            try (Connection c1 = ds.getConnection(); Connection c2 = ds.getConnection()) {
                assertThat(pid(c1)).isNotEqualTo(pid(c2)); // no error: each connection is younger than the limit
            }
        }
        assertThat(ds.stats().destroyedBy(DestroyReason.LIFETIME)).as("retired by age: %s", ds.stats()).isGreaterThanOrEqualTo(4);
        assertThat(ds.stats().destroyedBy(DestroyReason.INVALIDATED)).as("no caller got a killed one").isZero();
    }
}
