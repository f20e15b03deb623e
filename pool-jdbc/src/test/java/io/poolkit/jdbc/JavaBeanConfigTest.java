package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.IdleOrder;
import io.poolkit.PoolListener;
import io.poolkit.PoolStats;
import io.poolkit.Registration;
import io.poolkit.jdbc.testing.CapturingLogs;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.Threads;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JavaBean form (HikariCP's convention, what frameworks and containers use): a no-arg
 * constructor, setters, a start on the first getConnection(), and the properties form.
 */
@Timeout(60)
class JavaBeanConfigTest {
    private final List<PooledDataSource> opened = new CopyOnWriteArrayList<>();

    private PooledDataSource bean() {
        PooledDataSource ds = new PooledDataSource();
        ds.setUrl(DataSourceTestBase.h2Url());
        ds.setUsername("sa");
        ds.setPassword("");
        ds.setAcquireTimeout(Duration.ofSeconds(5));
        opened.add(ds);
        return ds;
    }

    @AfterEach
    void countsRuleHoldsAndEveryDataSourceCloses() throws Exception {
        for (PooledDataSource ds : opened) {
            if (ds.isStarted()) {
                PoolChecks.assertCountsRule(ds::stats);
            }
            ds.shutdown(Duration.ofSeconds(10));
            Await.until(() -> ds.stats().size() == 0, () -> "nothing left after shutdown: " + ds.stats());
        }
    }

    private static int h2Sessions(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from information_schema.sessions")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void noArgDataSourceStartsOnTheFirstGetConnection() throws Exception {
        PooledDataSource ds = bean();
        ds.setMaxSize(3);
        ds.setMinIdle(1);
        assertThat(ds.isStarted()).isFalse();
        assertThat(ds.stats().size()).as("nothing opened before the start").isZero();
        assertThat(ds.stats().maxSize()).isEqualTo(3);
        assertThat(ds.toString()).contains("not started").contains(ds.getName());
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select 42")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
        assertThat(ds.isStarted()).isTrue();
        assertThat(ds.stats().maxSize()).isEqualTo(3);
        assertThat(ds.toString()).doesNotContain("not started");
    }

    @Test
    void startOpensTheFirstConnectionsAndIsIdempotent() {
        PooledDataSource ds = bean();
        ds.setMinIdle(2);
        ds.start();
        ds.start();
        Await.until(() -> ds.stats().idle() == 2, () -> "minIdle connections open: " + ds.stats());
    }

    @Test
    void connectionSettersAfterTheStartThrowNamingTheProperty() throws Exception {
        PooledDataSource ds = bean();
        ds.setPassword("hunter2-not-printed");
        ds.setUrl(DataSourceTestBase.h2Url() + ";PASSWORD_HASH=FALSE");
        ds.setPassword("");
        ds.start();
        List<Consumer<PooledDataSource>> setters = List.of(d -> d.setUrl("jdbc:h2:mem:other"), d -> d.setJdbcUrl("jdbc:h2:mem:other"),
                d -> d.setUsername("other"), d -> d.setPassword("s3cret-value"), d -> d.setDriverClassName("org.h2.Driver"),
                d -> d.setDataSourceClassName("org.h2.jdbcx.JdbcDataSource"), d -> d.addDataSourceProperty("MODE", "PostgreSQL"),
                d -> d.setDataSourceProperties(new Properties()), d -> d.setAutoCommit(false), d -> d.setSchema("PUBLIC"),
                d -> d.setTransactionIsolation("READ_COMMITTED"), d -> d.setReadOnly(true), d -> d.setCatalog("X"),
                d -> d.setConnectionInitSql("select 1"));
        List<String> names = List.of("url", "jdbcUrl", "username", "password", "driverClassName", "dataSourceClassName",
                "dataSourceProperties", "dataSourceProperties", "autoCommit", "schema", "transactionIsolation", "readOnly", "catalog",
                "connectionInitSql");
        for (int i = 0; i < setters.size(); i++) {
            Consumer<PooledDataSource> setter = setters.get(i);
            assertThatThrownBy(() -> setter.accept(ds)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith(names.get(i) + " cannot change after " + ds.getName() + " started")
                    .hasMessageNotContaining("s3cret-value");
        }
        assertThat(ds.getUsername()).as("nothing changed").isEqualTo("sa");
    }

    @Test
    void otherPoolOptionsAfterTheStartThrowNamingTheProperty() {
        PooledDataSource ds = bean();
        ds.start();
        assertThatThrownBy(() -> ds.setMaxLifetime(Duration.ofMinutes(5))).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("maxLifetime cannot change after " + ds.getName() + " started")
                .hasMessageContaining("maxSize, minIdle, acquireTimeout, leakDetection and loginTimeout can change while it runs");
        assertThatThrownBy(() -> ds.setName("renamed")).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("name cannot");
        assertThatThrownBy(() -> ds.setIdleOrder(IdleOrder.FIFO)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("idleOrder cannot");
        assertThat(ds.getMaxLifetime()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void runtimeTunableOptionsReachTheRunningPool() throws Exception {
        PooledDataSource ds = bean();
        ds.setMaxSize(1);
        ds.start();

        ds.setMaxSize(4);
        assertThat(ds.stats().maxSize()).isEqualTo(4);
        assertThat(ds.getMaxSize()).isEqualTo(4);

        ds.setMinIdle(3);
        Await.until(() -> ds.stats().idle() >= 3, () -> "minIdle 3 reached the pool: " + ds.stats());
        assertThat(ds.getMinIdle()).isEqualTo(3);
        assertThatThrownBy(() -> ds.setMaxSize(2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minIdle");
        assertThat(ds.getMaxSize()).as("a refused resize changes nothing").isEqualTo(4);
        ds.setMinIdle(0);

        ds.setAcquireTimeout(Duration.ofMillis(100));
        List<Connection> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(ds.getConnection());
        }
        long started = System.nanoTime();
        assertThatThrownBy(ds::getConnection).isInstanceOf(SQLTransientConnectionException.class).hasMessageContaining("acquire timed out after");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));

        ds.setLeakDetection(Duration.ofMillis(50));
        held.remove(0).close();
        held.add(ds.getConnection()); // leak detection applies to leases taken after the change
        Await.until(() -> ds.stats().leaksSuspected() >= 1, () -> "the new leak threshold reached the pool: " + ds.stats());
        assertThat(ds.getLeakDetection()).isEqualTo(Duration.ofMillis(50));
        for (Connection c : held) {
            c.close();
        }
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                bad(d -> d.setMaxSize(0), "maxSize must be at least 1, but was 0"),
                bad(d -> d.setMinIdle(-1), "minIdle must be at least 0, but was -1"),
                bad(d -> d.setUrl("postgresql://db/app?password=hunter2"), "url must start with \"jdbc:\""),
                bad(d -> d.setJdbcUrl(" "), "url must not be blank"),
                bad(d -> d.setUsername(""), "username must not be blank, but was \"\""),
                bad(d -> d.setPassword(null), "password must not be null"),
                bad(d -> d.addDataSourceProperty("password", "x"), "property \"password\" is set with password"),
                bad(d -> d.setTransactionIsolation("SOMETIMES"), "transactionIsolation must be one of TRANSACTION_READ_UNCOMMITTED"),
                bad(d -> d.setTransactionIsolation("3"), "but was 3"),
                bad(d -> d.setAcquireTimeout(Duration.ofMillis(-1)), "acquireTimeout must not be negative"),
                bad(d -> d.setMaxLifetime(Duration.ZERO), "maxLifetime must be more than zero"),
                bad(d -> d.setLifetimeJitter(2), "lifetimeJitter must be between 0.0 and 1.0, but was 2.0"),
                bad(d -> d.setCircuitBreakerFailures(-1), "circuitBreakerFailures must be at least 0 (0: no breaker), but was -1"),
                bad(d -> d.setLeakDetection(Duration.ZERO), "leakDetection must be more than zero"),
                bad(d -> d.setLoginTimeout(-1), "loginTimeout must be at least 0 seconds"),
                bad(d -> d.setName(" "), "name must not be blank"));
    }

    private static Arguments bad(Consumer<PooledDataSource> setter, String message) {
        return Arguments.of(setter, message);
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValuesAreRejectedWithTheRuleAndTheValue(Consumer<PooledDataSource> setter, String message) {
        PooledDataSource ds = new PooledDataSource();
        assertThatThrownBy(() -> setter.accept(ds)).isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class)
                .hasMessageContaining(message).hasMessageNotContaining("hunter2");
    }

    @Test
    void gettersReportWhatTheBuilderConfigured() throws Exception {
        String url = DataSourceTestBase.h2Url();
        PooledDataSource ds = PooledDataSource.builder().name("built").url(url).username("sa").password("")
                .property("MODE", "PostgreSQL").maxSize(7).minIdle(2).acquireTimeout(Duration.ofSeconds(3))
                .maxLifetime(Duration.ofMinutes(5)).transactionIsolation(Connection.TRANSACTION_SERIALIZABLE)
                .createRetry(Duration.ofMillis(20), Duration.ofSeconds(1)).circuitBreaker(5, Duration.ofSeconds(9))
                .loginTimeout(Duration.ofSeconds(4)).build();
        opened.add(ds);
        assertThat(ds.isStarted()).isTrue();
        assertThat(ds.getName()).isEqualTo("built");
        assertThat(ds.getUrl()).isEqualTo(url);
        assertThat(ds.getJdbcUrl()).isEqualTo(url);
        assertThat(ds.getUsername()).isEqualTo("sa");
        assertThat(ds.getPassword()).isEqualTo("");
        assertThat(ds.getDataSourceProperties()).containsEntry("MODE", "PostgreSQL");
        assertThat(ds.getMaxSize()).isEqualTo(7);
        assertThat(ds.getMinIdle()).isEqualTo(2);
        assertThat(ds.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(ds.getMaxLifetime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(ds.getTransactionIsolation()).isEqualTo("TRANSACTION_SERIALIZABLE");
        assertThat(ds.getCreateRetryInitial()).isEqualTo(Duration.ofMillis(20));
        assertThat(ds.getCreateRetryMax()).isEqualTo(Duration.ofSeconds(1));
        assertThat(ds.getCircuitBreakerFailures()).isEqualTo(5);
        assertThat(ds.getCircuitBreakerOpen()).isEqualTo(Duration.ofSeconds(9));
        assertThat(ds.getLoginTimeout()).isEqualTo(4);
        assertThat(ds.getIdleTimeout()).as("a default").isEqualTo(Duration.ofMinutes(10));
        assertThat(ds.getReadOnly()).as("the driver's").isNull();
        ds.setMaxSize(8);
        assertThat(ds.getMaxSize()).isEqualTo(8);
    }

    @Test
    void thePasswordIsNeverInToString() {
        PooledDataSource ds = bean();
        ds.setPassword("hunter2");
        assertThat(ds.toString()).doesNotContain("hunter2").contains("password ****");
        assertThat(ds.getPassword()).isEqualTo("hunter2");
    }

    @Test
    void twoThreadsStartingAtOnceStartOnePool() throws Exception {
        PooledDataSource ds = bean();
        ds.setMaxSize(2);
        ds.setMinIdle(2);
        CountDownLatch go = new CountDownLatch(1);
        Threads.run(8, Duration.ofSeconds(30), i -> {
            go.countDown();
            assertThat(go.await(10, TimeUnit.SECONDS)).isTrue();
            try (Connection c = ds.getConnection()) {
                assertThat(c.isValid(1)).isTrue();
            }
        });
        Await.until(() -> ds.stats().idle() == 2, () -> "both connections idle: " + ds.stats());
        try (Connection c = ds.getConnection()) {
            // a second pool would have opened connections of its own that this one does not count
            assertThat(h2Sessions(c)).as("open sessions: only this pool's").isEqualTo(ds.stats().size()).isEqualTo(2);
        }
    }

    @Test
    void aListenerAddedBeforeTheStartHearsFromTheStartOn() throws Exception {
        PooledDataSource ds = bean();
        AtomicInteger acquired = new AtomicInteger();
        AtomicInteger removedHeard = new AtomicInteger();
        Registration kept = ds.addListener(new PoolListener<>() {
            @Override
            public void acquired(Connection resource, long waitNanos) {
                acquired.incrementAndGet();
            }
        });
        Registration removed = ds.addListener(new PoolListener<>() {
            @Override
            public void acquired(Connection resource, long waitNanos) {
                removedHeard.incrementAndGet();
            }
        });
        removed.close();
        ds.getConnection().close();
        assertThat(acquired).hasValue(1);
        assertThat(removedHeard).as("removed before the start").hasValue(0);
        kept.close();
        ds.getConnection().close();
        assertThat(acquired).as("removed after the start").hasValue(1);
    }

    @Test
    void aDataSourceClosedBeforeItsStartNeverStarts() {
        PooledDataSource ds = bean();
        ds.close();
        assertThat(ds.isClosed()).isTrue();
        assertThatThrownBy(ds::getConnection).isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(ds::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(ds.isStarted()).isFalse();
    }

    @Test
    void aFailedStartLeavesTheDataSourceConfigurableAndTriesAgain() throws Exception {
        PooledDataSource ds = bean();
        String good = ds.getUrl();
        ds.setUrl("jdbc:h2:mem:missing" + System.nanoTime() + ";IFEXISTS=TRUE");
        assertThatThrownBy(ds::getConnection).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("could not open a connection").extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
        assertThat(ds.isStarted()).isFalse();
        ds.setUrl(good);
        ds.getConnection().close();
        assertThat(ds.isStarted()).isTrue();
    }

    @Test
    void missingUrlFailsTheStartWithWhatIsMissing() {
        PooledDataSource ds = new PooledDataSource();
        opened.add(ds);
        assertThatThrownBy(ds::getConnection).isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessageContaining("needs url (jdbcUrl), dataSource or dataSourceClassName");
        assertThatThrownBy(ds::start).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void driverClassNameIsLoadedAndChecked() throws Exception {
        PooledDataSource ds = bean();
        ds.setDriverClassName("org.h2.Driver");
        ds.getConnection().close();

        PooledDataSource missing = bean();
        missing.setDriverClassName("com.example.NoSuchDriver");
        assertThatThrownBy(missing::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("driverClassName com.example.NoSuchDriver is not on the class path: add the driver's jar");

        PooledDataSource wrong = bean();
        wrong.setDriverClassName("org.postgresql.Driver");
        assertThatThrownBy(wrong::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("driverClassName org.postgresql.Driver does not accept the url jdbc:h2:mem:");
        PooledDataSource notADriver = bean();
        notADriver.setDriverClassName("java.lang.String");
        assertThatThrownBy(notADriver::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("driverClassName must name a java.sql.Driver, but java.lang.String is not one");
    }

    @Test
    void dataSourceClassNameIsMadeWithItsProperties() throws Exception {
        PooledDataSource ds = new PooledDataSource();
        opened.add(ds);
        ds.setDataSourceClassName("org.h2.jdbcx.JdbcDataSource");
        ds.addDataSourceProperty("URL", DataSourceTestBase.h2Url());
        ds.setUsername("sa");
        ds.getConnection().close();
        assertThat(ds.unwrap(DataSource.class)).isSameAs(ds);
        assertThat(ds.isWrapperFor(org.h2.jdbcx.JdbcDataSource.class)).isTrue();

        PooledDataSource bad = new PooledDataSource();
        opened.add(bad);
        bad.setDataSourceClassName("org.h2.jdbcx.JdbcDataSource");
        bad.addDataSourceProperty("noSuchThing", "1");
        assertThatThrownBy(bad::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataSourceProperties noSuchThing: org.h2.jdbcx.JdbcDataSource has no setter setNoSuchThing");
    }

    @Test
    void theDataSourceMethodsWorkBeforeTheStartWithoutStartingIt() throws Exception {
        PooledDataSource ds = bean();
        ds.setLoginTimeout(7);
        assertThat(ds.getLoginTimeout()).isEqualTo(7);
        assertThat(ds.unwrap(PooledDataSource.class)).isSameAs(ds);
        assertThat(ds.isWrapperFor(DataSource.class)).isTrue();
        assertThat(ds.getLogWriter()).isNull();
        ds.evictIdle();
        assertThatThrownBy(ds::suspend).isInstanceOf(IllegalStateException.class).hasMessageContaining("call start() first");
        assertThat(ds.isStarted()).isFalse();
    }

    // ---- the properties form ----

    @Test
    void propertiesUseTheSetterNamesInEitherSpelling() throws Exception {
        Properties p = new Properties();
        p.setProperty("jdbcUrl", DataSourceTestBase.h2Url());
        p.setProperty("username", "sa");
        p.setProperty("password", "");
        p.setProperty("max-size", "4");
        p.setProperty("min_idle", "1");
        p.setProperty("acquireTimeout", "2s");
        p.setProperty("maxLifetime", "PT10M");
        p.setProperty("validateAfterIdle", "250");
        p.setProperty("idleOrder", "fifo");
        p.setProperty("autoCommit", "false");
        p.setProperty("transactionIsolation", "TRANSACTION_READ_COMMITTED");
        p.setProperty("loginTimeout", "9");
        p.setProperty("dataSource.MODE", "PostgreSQL");
        PooledDataSource ds = new PooledDataSource(p);
        opened.add(ds);
        assertThat(ds.getMaxSize()).isEqualTo(4);
        assertThat(ds.getMinIdle()).isEqualTo(1);
        assertThat(ds.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ds.getMaxLifetime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(ds.getValidateAfterIdle()).as("a bare number is milliseconds").isEqualTo(Duration.ofMillis(250));
        assertThat(ds.getIdleOrder()).isEqualTo(IdleOrder.FIFO);
        assertThat(ds.isAutoCommit()).isFalse();
        assertThat(ds.getLoginTimeout()).isEqualTo(9);
        assertThat(ds.getDataSourceProperties()).containsEntry("MODE", "PostgreSQL");
        try (Connection c = ds.getConnection()) {
            assertThat(c.getAutoCommit()).isFalse();
        }
    }

    @Test
    void badPropertiesNameTheKeyAndTheRule() {
        assertThatThrownBy(() -> new PooledDataSource(props("maxsise", "4"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown data source property \"maxsise\"; known: [").hasMessageContaining("maxSize");
        assertThatThrownBy(() -> new PooledDataSource(props("acquireTimeout", "30 seconds"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("acquireTimeout must be a duration such as 30s, 500ms, PT30S or forever, but was \"30 seconds\"");
        assertThatThrownBy(() -> new PooledDataSource(props("maxSize", "ten"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be a number, but was \"ten\"");
        assertThatThrownBy(() -> new PooledDataSource(props("maxSize", "0"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be at least 1, but was 0");
        assertThatThrownBy(() -> new PooledDataSource(props("jmx", "yes"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jmx must be true or false, but was \"yes\"");
        assertThatThrownBy(() -> new PooledDataSource(props("idleOrder", "random"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleOrder must be one of [FIFO, LIFO], but was \"random\"");
        assertThatThrownBy(() -> new PooledDataSource(props("threadFactory", "x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be given as text: set it in code");
    }

    private static Properties props(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }

    @Test
    void aPropertiesFileConfiguresTheSame(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pool.properties");
        Files.writeString(file, "url=" + DataSourceTestBase.h2Url() + "\nusername=sa\npassword=\nmaxSize=3\nkeepaliveInterval=1m\n");
        PooledDataSource ds = new PooledDataSource(file);
        opened.add(ds);
        assertThat(ds.getMaxSize()).isEqualTo(3);
        assertThat(ds.getKeepaliveInterval()).isEqualTo(Duration.ofMinutes(1));
        ds.getConnection().close();
        assertThatThrownBy(() -> new PooledDataSource(dir.resolve("missing.properties"))).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("missing.properties");
    }

    @Test
    void statsBeforeTheStartAreZeroAndKeepTheCountsRule() {
        PooledDataSource ds = bean();
        PoolStats st = ds.stats();
        assertThat(st.size()).isZero();
        assertThat(st.created()).isZero();
        PoolChecks.assertCountsRule(ds::stats);
    }

    // ---- setters in any order (the rules between options are the start's), and the closed state ----

    @Test
    void minIdleAboveTheDefaultMaxSizeSetBeforeMaxSizeIsAccepted() throws Exception {
        PooledDataSource ds = bean();
        ds.setMinIdle(12); // above the default maxSize (10): Spring XML and JNDI factories set in declaration order
        ds.setMaxSize(15);
        assertThat(ds.getMinIdle()).isEqualTo(12);
        assertThat(ds.getMaxSize()).isEqualTo(15);
        try (Connection c = ds.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
        assertThat(ds.stats().maxSize()).isEqualTo(15);
        Await.until(() -> ds.stats().idle() >= 12, () -> "minIdle 12 reached the pool: " + ds.stats());
    }

    @Test
    void theSameOrderFromPropertiesIsAccepted() {
        Properties p = new Properties();
        p.setProperty("url", DataSourceTestBase.h2Url());
        p.setProperty("username", "sa");
        p.setProperty("min-idle", "12");
        p.setProperty("max-size", "15");
        PooledDataSource ds = new PooledDataSource(p);
        opened.add(ds);
        assertThat(ds.getMinIdle()).isEqualTo(12);
        assertThat(ds.getMaxSize()).isEqualTo(15);
    }

    @Test
    void aFinalConfigurationBreakingARuleBetweenOptionsFailsTheStartWithTheRule() {
        PooledDataSource ds = bean();
        ds.setMaxSize(5);
        ds.setMinIdle(6);
        assertThatThrownBy(ds::start).isInstanceOf(IllegalArgumentException.class).hasMessage("minIdle (6) must not exceed maxSize (5)");
        assertThatThrownBy(ds::getConnection).isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessageContaining("cannot start: minIdle (6) must not exceed maxSize (5)");
        assertThat(ds.isStarted()).isFalse();
        ds.setMinIdle(5);
        ds.start();
        assertThat(ds.isStarted()).isTrue();
    }

    @Test
    void aRuntimeChangeBreakingMinIdleAtMostMaxSizeIsRefusedAtOnce() {
        PooledDataSource ds = bean();
        ds.setMaxSize(4);
        ds.setMinIdle(2);
        ds.start();
        assertThatThrownBy(() -> ds.setMinIdle(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minIdle (5) must not exceed maxSize (4) of the running pool " + ds.getName() + ": raise maxSize first");
        assertThatThrownBy(() -> ds.setMaxSize(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize (1) must not be below minIdle (2) of the running pool " + ds.getName() + ": lower minIdle first");
        assertThat(ds.getMinIdle()).as("refused changes change nothing").isEqualTo(2);
        assertThat(ds.getMaxSize()).isEqualTo(4);
        assertThat(ds.stats().maxSize()).isEqualTo(4);
        ds.setMaxSize(8);
        ds.setMinIdle(5);
        assertThat(ds.stats().maxSize()).isEqualTo(8);
    }

    // ---- closed ----

    @Test
    void aStartedThenClosedDataSourceCannotStartAgain() throws Exception {
        PooledDataSource ds = bean();
        ds.getConnection().close();
        ds.close();
        assertThat(ds.isClosed()).isTrue();
        assertThat(ds.isStarted()).as("a closed pool does not run").isFalse();
        assertThatThrownBy(ds::start).isInstanceOf(IllegalStateException.class)
                .hasMessage(ds.getName() + " - the data source is closed; it cannot start");
        assertThatThrownBy(ds::getConnection).isInstanceOf(SQLNonTransientConnectionException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> ds.getConnection(Duration.ofMillis(10))).isInstanceOf(SQLNonTransientConnectionException.class);
        assertThat(ds.isStarted()).isFalse();
    }

    @Test
    void settersOfAClosedDataSourceThrowNamingTheState() throws Exception {
        PooledDataSource started = bean();
        started.start();
        int before = started.stats().maxSize();
        started.close();
        CapturingLogs.clear();
        assertClosedSetters(started);
        assertThat(started.stats().maxSize()).as("the closed pool was not resized").isEqualTo(before);
        assertThat(CapturingLogs.all()).as("no resize logged").doesNotContain(started.getName() + " - resized");

        PooledDataSource neverStarted = bean();
        neverStarted.close();
        assertClosedSetters(neverStarted);
    }

    private static void assertClosedSetters(PooledDataSource ds) {
        List<Consumer<PooledDataSource>> setters = List.of(d -> d.setMaxSize(3), d -> d.resize(3), d -> d.setMinIdle(1),
                d -> d.setAcquireTimeout(Duration.ofSeconds(1)), d -> d.setLeakDetection(Duration.ofSeconds(1)),
                d -> d.setUrl("jdbc:h2:mem:other"), d -> d.setIdleTimeout(Duration.ofMinutes(1)), d -> d.setLoginTimeout(5));
        List<String> names = List.of("maxSize", "maxSize", "minIdle", "acquireTimeout", "leakDetection", "url", "idleTimeout",
                "loginTimeout");
        for (int i = 0; i < setters.size(); i++) {
            Consumer<PooledDataSource> setter = setters.get(i);
            assertThatThrownBy(() -> setter.accept(ds)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith(names.get(i) + " cannot change: " + ds.getName() + " is closed");
        }
        assertThat(ds.getMaxSize()).isEqualTo(10);
    }
}
