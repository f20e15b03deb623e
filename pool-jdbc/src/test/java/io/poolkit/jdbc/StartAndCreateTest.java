package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.Pool;
import io.poolkit.PoolTimeoutException;
import io.poolkit.ResourceCreationException;
import io.poolkit.jdbc.testing.FaultyDriver;
import io.poolkit.jdbc.testing.SimpleDataSource;
import io.poolkit.testkit.Await;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Opening connections: fail fast at start, login timeout, defaults, init SQL, a wrapped DataSource. */
class StartAndCreateTest extends DataSourceTestBase {
    private final FaultyDriver driver = new FaultyDriver();

    @Test
    void unreachableDatabaseFailsBuildFastWithTheDriversError() {
        SQLException refused = new SQLException("Connection to 127.0.0.1:1 refused", "08001");
        driver.failConnects(refused);
        long start = System.nanoTime();
        Throwable failure = catchThrowable(() -> PooledDataSource.builder().url(h2Url()).driver(driver).name("orders-db").build());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(failure).isInstanceOf(ResourceCreationException.class)
                .hasMessageStartingWith("orders-db - could not open a connection to jdbc:h2:mem:")
                .hasMessageContaining("Connection to 127.0.0.1:1 refused")
                .hasMessageContaining("initializationFailTimeout(Pool.FOREVER)")
                .hasCause(refused);
        // "one attempt": the core retries within initializationFailTimeout when a failure came back sooner
        assertThat(driver.connects()).isBetween(1, 2);
    }

    @Test
    void startAnywayKeepsTryingAndTimeoutsNameTheCause() throws Exception {
        driver.failConnects(new SQLException("Connection refused", "08001"));
        PooledDataSource ds = open(PooledDataSource.builder().url(h2Url()).driver(driver).initializationFailTimeout(Pool.FOREVER)
                .createRetry(Duration.ofMillis(5), Duration.ofMillis(50)));
        long start = System.nanoTime();
        Throwable timeout = catchThrowable(() -> ds.getConnection(Duration.ofMillis(300)));
        long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(ms).as("ended by its deadline").isBetween(250L, 3000L);
        assertThat(timeout).isInstanceOf(SQLTransientConnectionException.class).hasMessageContaining("acquire timed out")
                .hasCauseInstanceOf(PoolTimeoutException.class);
        assertThat(((SQLException) timeout).getSQLState()).isEqualTo("08001");
        assertThat(timeout.getCause().getCause()).hasMessageContaining("Connection refused");
        driver.heal();
        try (Connection c = ds.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
    }

    @Test
    void buildOpensMinIdleConnections() {
        PooledDataSource ds = open(h2().driver(driver).maxSize(5).minIdle(3));
        // at least minIdle; pool-core's warmUp does not count the minIdle refill already in flight, so
        // up to maxConcurrentCreates more may be opened (reported to the core's owner)
        assertThat(ds.stats().idle()).isGreaterThanOrEqualTo(3);
        assertThat(driver.connects()).isBetween(3, 5);
    }

    @Test
    void loginTimeoutBoundsEachCreation() throws Exception {
        driver.blockConnects();
        PooledDataSource ds = open(PooledDataSource.builder().url(h2Url()).driver(driver).initializationFailTimeout(Pool.FOREVER)
                .loginTimeout(Duration.ofMillis(200)).createRetry(Duration.ofMillis(1), Duration.ofMillis(5)).maxSize(1));
        Throwable timeout = catchThrowable(() -> ds.getConnection(Duration.ofMillis(1500)));
        assertThat(timeout).isInstanceOf(SQLTransientConnectionException.class);
        assertThat(ds.stats().createFailures()).as("creates ended by the login timeout, more than once in 1.5 s").isGreaterThanOrEqualTo(2);
        driver.heal();
        try (Connection c = ds.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
    }

    @Test
    void loginTimeoutIsHandedToADriverThatDeclaresIt() {
        driver.declareProperties("loginTimeout", "socketTimeout");
        open(PooledDataSource.builder().url(h2Url()).driver(driver).loginTimeout(Duration.ofMillis(2500)));
        assertThat(driver.lastProperties().getProperty("loginTimeout")).isEqualTo("3");
    }

    @Test
    void loginTimeoutPropertySetByTheUserIsKept() {
        driver.declareProperties("loginTimeout");
        open(PooledDataSource.builder().url(h2Url()).driver(driver).property("loginTimeout", "7"));
        assertThat(driver.lastProperties().getProperty("loginTimeout")).isEqualTo("7");
    }

    @Test
    void loginTimeoutSetWhileThePoolRunsReachesTheConnectionsOpenedAfter() throws Exception {
        driver.declareProperties("loginTimeout");
        PooledDataSource ds = open(PooledDataSource.builder().url(h2Url()).driver(driver).loginTimeout(Duration.ofSeconds(5)));
        assertThat(driver.lastProperties().getProperty("loginTimeout")).isEqualTo("5");
        ds.setLoginTimeout(9);
        assertThat(ds.getLoginTimeout()).isEqualTo(9);
        ds.evictIdle();
        try (Connection c = ds.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
        assertThat(driver.lastProperties().getProperty("loginTimeout")).as("the new connection's").isEqualTo("9");
        ds.setLoginTimeout(0);
        assertThat(ds.getLoginTimeout()).as("0: the default").isEqualTo(30);
        assertThatThrownBy(() -> ds.setLoginTimeout(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("loginTimeout must be at least 0 seconds (0: the default, 30 s), but was -1");
        assertThat(ds.getLoginTimeout()).as("unchanged by the refused value").isEqualTo(30);
    }

    @Test
    void loginTimeoutSetWhileThePoolRunsKeepsTheUsersDriverPropertyAndReachesAWrappedDataSource() throws Exception {
        driver.declareProperties("loginTimeout");
        PooledDataSource ds = open(PooledDataSource.builder().url(h2Url()).driver(driver).property("loginTimeout", "7"));
        ds.setLoginTimeout(9);
        ds.evictIdle();
        ds.getConnection().close();
        assertThat(driver.lastProperties().getProperty("loginTimeout")).as("the user's driver property wins").isEqualTo("7");

        SimpleDataSource h2 = new SimpleDataSource(h2Url());
        PooledDataSource wrapping = open(PooledDataSource.builder().dataSource(h2).username("sa").password("").loginTimeout(Duration.ofSeconds(4)));
        wrapping.setLoginTimeout(11);
        assertThat(h2.getLoginTimeout()).isEqualTo(11);
        assertThat(wrapping.getLoginTimeout()).isEqualTo(11);
    }

    @Test
    void loginTimeoutIsNotInventedForADriverThatDoesNotDeclareIt() {
        open(PooledDataSource.builder().url(h2Url()).driver(driver));
        assertThat(driver.lastProperties().getProperty("loginTimeout")).isNull();
    }

    @Test
    void connectionInitSqlRunsOnEveryNewConnection() throws Exception {
        PooledDataSource ds = open(h2().maxSize(2).connectionInitSql("SET @POOLKIT = 42"));
        try (Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
            for (Connection c : new Connection[] {a, b}) {
                try (var s = c.createStatement(); var rs = s.executeQuery("select @POOLKIT")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(42);
                }
            }
        }
    }

    @Test
    void failingConnectionInitSqlFailsTheCreationAndClosesTheConnection() {
        Throwable failure = catchThrowable(() -> PooledDataSource.builder().url(h2Url()).driver(driver)
                .connectionInitSql("select * from nowhere").build());
        assertThat(failure).isInstanceOf(ResourceCreationException.class).hasMessageContaining("NOWHERE");
        assertThat(driver.opened()).hasSize(1).allSatisfy(c -> assertThat(c.isClosed()).isTrue());
    }

    @Test
    void wrappedDataSourceGivesTheConnectionsAndTheLoginTimeout() throws Exception {
        SimpleDataSource h2 = new SimpleDataSource(h2Url());
        PooledDataSource ds = open(PooledDataSource.builder().dataSource(h2).username("sa").password("").loginTimeout(Duration.ofSeconds(4)));
        assertThat(h2.getLoginTimeout()).isEqualTo(4);
        assertThat(ds.unwrap(SimpleDataSource.class)).isSameAs(h2);
        assertThat(ds.isWrapperFor(SimpleDataSource.class)).isTrue();
        assertThat(ds.unwrap(PooledDataSource.class)).isSameAs(ds);
        try (Connection c = ds.getConnection()) {
            assertThat(c.getMetaData().getUserName()).isEqualToIgnoringCase("sa");
        }
        assertThat(ds.toString()).contains(SimpleDataSource.class.getName()).contains("as sa");
    }

    @Test
    void driverThatReturnsNoConnectionIsACreateFailureThatSaysSo() {
        Throwable failure = catchThrowable(() -> PooledDataSource.builder().url("jdbc:postgresql://127.0.0.1:1/x").driver(driver).build());
        assertThat(failure).isInstanceOf(ResourceCreationException.class);
        assertThat(failure.getCause()).hasMessageContaining("the driver returned no connection");
    }

    @Test
    void noDriverForTheUrlIsRejectedAtBuild() {
        assertThatThrownBy(() -> PooledDataSource.builder().url("jdbc:nosuch:db").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no JDBC driver accepts the url jdbc:nosuch:db");
    }

    @Test
    void failedCreatesRecoverWithoutCallersSeeingAnError() throws Exception {
        PooledDataSource ds = open(h2().driver(driver).maxSize(1).createRetry(Duration.ofMillis(5), Duration.ofMillis(20)));
        ds.evictIdle();
        Await.until(() -> ds.stats().size() == 0, () -> "evicted: " + ds.stats());
        driver.failConnects(new SQLException("too many connections", "53300"));
        Thread healer = new Thread(() -> {
            Await.until(() -> ds.stats().createFailures() >= 2, () -> "two failed creates: " + ds.stats());
            driver.heal();
        });
        healer.start();
        try (Connection c = ds.getConnection(Duration.ofSeconds(5))) {
            assertThat(c.isValid(1)).isTrue();
        }
        healer.join(5_000);
        assertThat(healer.isAlive()).isFalse();
    }
}
