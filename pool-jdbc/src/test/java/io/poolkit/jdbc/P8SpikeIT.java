package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.jdbc.testing.TcpProxy;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** P8: 50 callers arriving at once, a slow connect (150 ms), short queries (2 ms): few connections are opened. */
class P8SpikeIT extends PgTestBase {

    @Test
    void spikeOfFiftyCallersOpensFewConnections() throws Exception {
        TcpProxy proxy = proxy();
        proxy.connectDelay(Duration.ofMillis(150));
        PooledDataSource ds = open(pgVia(proxy).maxSize(50).minIdle(5));
        Await.until(() -> ds.stats().idle() >= 5 && ds.stats().creating() == 0, () -> "minIdle ready: " + ds.stats());
        long before = ds.stats().created();
        CountDownLatch go = new CountDownLatch(1);
        Threads.run(51, Duration.ofSeconds(60), i -> {
            if (i == 50) {
                go.countDown();
                return;
            }
            go.await();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("select pg_sleep(0.002)");
            }
        });
        long created = ds.stats().created();
        assertThat(ds.stats().acquired()).isGreaterThanOrEqualTo(50);
        assertThat(created).as("connections opened for 50 callers (%d before the spike): %s", before, ds.stats()).isLessThanOrEqualTo(10);
    }
}
