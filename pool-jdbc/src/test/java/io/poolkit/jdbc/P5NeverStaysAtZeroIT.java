package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.jdbc.testing.TcpProxy;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** P5: after stall, heal and reset cycles under load, the pool is back at minIdle with working connections. */
class P5NeverStaysAtZeroIT extends PgTestBase {

    @Test
    void poolRecoversToMinIdleAfterStallsAndResetsUnderLoad() throws Exception {
        TcpProxy proxy = proxy();
        PooledDataSource ds = open(pgVia(proxy).maxSize(4).minIdle(2).acquireTimeout(Duration.ofSeconds(2))
                .loginTimeout(Duration.ofSeconds(2)).validationTimeout(Duration.ofMillis(500)).validateAfterIdle(Duration.ofMillis(200))
                .createRetry(Duration.ofMillis(20), Duration.ofMillis(200)).property("socketTimeout", "1"));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Threads.run(5, Duration.ofSeconds(90), i -> {
            if (i < 4) {
                while (!stop.get()) {
                    try (Connection c = ds.getConnection()) {
                        pid(c);
                        ok.incrementAndGet();
                    } catch (SQLException e) {
                        failed.incrementAndGet();
                    }
                }
                return;
            }
            try {
                for (int cycle = 0; cycle < 3; cycle++) {
                    int failedBefore = failed.get();
                    proxy.stall();
                    Await.until(Duration.ofSeconds(20), () -> failed.get() > failedBefore, () -> "callers fail while stalled");
                    proxy.heal();
                    int okBefore = ok.get();
                    Await.until(Duration.ofSeconds(20), () -> ok.get() > okBefore + 20, () -> "callers succeed after the heal: " + ds.stats());
                    int failedBeforeReset = failed.get();
                    proxy.reset();
                    int okAfterReset = ok.get();
                    Await.until(Duration.ofSeconds(20), () -> ok.get() > okAfterReset + 20,
                            () -> "callers succeed after the reset (failures " + (failed.get() - failedBeforeReset) + "): " + ds.stats());
                }
            } finally {
                stop.set(true);
            }
        });
        Await.until(Duration.ofSeconds(20), () -> ds.stats().idle() >= 2, () -> "back at minIdle: " + ds.stats());
        try (Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
            assertThat(pid(a)).isNotEqualTo(pid(b));
        }
        assertThat(ok.get()).isPositive();
    }
}
