package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.PoolStats;
import io.poolkit.testkit.Threads;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Connection.abort} comes from another thread (a watchdog) while the borrower still opens
 * and closes statements and then closes the connection, as try-with-resources does once its work
 * fails: the borrower sees only {@link SQLException}s, and the connection is destroyed exactly once.
 */
class AbortRaceTest extends DataSourceTestBase {
    private static final int ROUNDS = 300;

    @Test
    @Timeout(120)
    void anAbortFromAnotherThreadRacesTheBorrowersStatementsAndCloseSafely() throws Exception {
        PooledDataSource ds = open(h2().maxSize(2));
        for (int round = 0; round < ROUNDS; round++) {
            Connection c = ds.getConnection();
            CountDownLatch busy = new CountDownLatch(1);
            AtomicBoolean aborted = new AtomicBoolean();
            Threads.run(2, Duration.ofSeconds(20), i -> {
                if (i == 1) {
                    assertThat(busy.await(10, TimeUnit.SECONDS)).as("the borrower got busy").isTrue();
                    c.abort(Runnable::run);
                    aborted.set(true);
                    return;
                }
                List<Statement> open = new ArrayList<>();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                try {
                    // until the abort has returned, however long the watchdog waits for a CPU (a bound on
                    // the statements alone ran out before the abort on a loaded machine); then a few more
                    for (int afterAbort = 0; afterAbort < 100_000; ) {
                        open.add(c.createStatement());
                        if (open.size() >= 16) {
                            busy.countDown();
                            open.remove(random.nextInt(open.size())).close();
                        }
                        if (aborted.get()) {
                            afterAbort++;
                        }
                    }
                    throw new AssertionError("the abort never reached the borrower: 100,000 statements after it returned");
                } catch (SQLException expected) {
                    // the abort: the work fails, and the borrower closes what it opened
                } finally {
                    busy.countDown();
                    while (!open.isEmpty()) {
                        try {
                            open.remove(random.nextInt(open.size())).close();
                        } catch (SQLException fine) {
                            // closing a statement of an aborted connection may say so
                        }
                    }
                    c.close();
                }
            });
        }
        PoolStats st = ds.stats();
        assertThat(st.destroyed()).as("each aborted connection destroyed once: %s", st).isEqualTo(ROUNDS);
        try (Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
            assertThat(a.isValid(1) && b.isValid(1)).as("both slots still usable").isTrue();
        }
    }
}
