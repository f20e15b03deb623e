package io.poolkit.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.jdbc.PooledDataSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.hibernate.SessionFactory;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.jdbc.connections.spi.DatabaseConnectionInfo;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The provider on embedded H2: chosen by its short name, configured from properties alone, closed with the SessionFactory. */
@Timeout(120)
class PoolkitConnectionProviderTest {
    private static final AtomicInteger DB = new AtomicInteger();

    private static Map<String, String> h2(String providerClass) {
        Map<String, String> p = new HashMap<>();
        p.put("hibernate.connection.provider_class", providerClass);
        p.put("hibernate.connection.url", "jdbc:h2:mem:hib" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        p.put("hibernate.connection.username", "sa");
        p.put("hibernate.connection.password", "");
        p.put("hibernate.hbm2ddl.auto", "create-drop");
        return p;
    }

    @Test
    void theShortNameChoosesPoolkitAndItsOptionsApply() {
        Map<String, String> p = h2("poolkit");
        p.put("hibernate.poolkit.maxSize", "4");
        p.put("hibernate.poolkit.acquire-timeout", "3s");
        p.put("hibernate.connection.isolation", "TRANSACTION_READ_COMMITTED");
        try (SessionFactory sf = HibernateSupport.sessionFactory(p)) {
            PooledDataSource ds = HibernateSupport.pool(sf);
            assertThat(ds.getName()).isEqualTo("hibernate");
            assertThat(ds.getMaxSize()).isEqualTo(4);
            assertThat(ds.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(ds.getTransactionIsolation()).isEqualTo("TRANSACTION_READ_COMMITTED");
            Long id = sf.fromTransaction(s -> {
                Greeting g = new Greeting("hello");
                s.persist(g);
                return g.getId();
            });
            String read = sf.fromSession(s -> s.find(Greeting.class, id).getText());
            assertThat(read).isEqualTo("hello");
            assertThat(ds.stats().leased()).isZero();
        }
    }

    @Test
    void theClassNameWorksTooAndPoolSizeIsTheMaxSize() {
        Map<String, String> p = h2(PoolkitConnectionProvider.class.getName());
        p.put("hibernate.connection.pool_size", "3");
        p.put("hibernate.poolkit.name", "orders");
        try (SessionFactory sf = HibernateSupport.sessionFactory(p)) {
            PooledDataSource ds = HibernateSupport.pool(sf);
            assertThat(ds.getName()).isEqualTo("orders");
            assertThat(ds.getMaxSize()).isEqualTo(3);
        }
    }

    @Test
    void closingTheSessionFactoryClosesThePool() {
        PooledDataSource ds;
        try (SessionFactory sf = HibernateSupport.sessionFactory(h2("poolkit"))) {
            ds = HibernateSupport.pool(sf);
            assertThat(ds.isStarted()).isTrue();
            assertThat(ds.stats().size()).isPositive();
        }
        assertThat(ds.isClosed()).isTrue();
        assertThat(ds.stats().size()).as("every connection closed: %s", ds.stats()).isZero();
    }

    @Test
    void aBadOptionFailsWithTheRuleAndTheValueButNeverThePassword() {
        Map<String, String> p = h2("poolkit");
        p.put("hibernate.connection.password", "hunter2");
        p.put("hibernate.poolkit.maxSize", "0");
        assertThatThrownBy(() -> HibernateSupport.sessionFactory(p).close()).hasStackTraceContaining("maxSize must be at least 1, but was 0")
                .hasStackTraceContaining("Could not configure poolkit").satisfies(e -> assertThat(stackTrace(e)).doesNotContain("hunter2"));
        Map<String, String> unknown = h2("poolkit");
        unknown.put("hibernate.poolkit.maxsise", "4");
        assertThatThrownBy(() -> HibernateSupport.sessionFactory(unknown).close())
                .hasStackTraceContaining("unknown data source property \"maxsise\"");
    }

    @Test
    void aBadHibernateSettingIsReportedUnderItsOwnKey() {
        Map<String, String> p = h2("poolkit");
        p.put("hibernate.connection.pool_size", "0");
        assertThatThrownBy(() -> HibernateSupport.sessionFactory(p).close())
                .hasStackTraceContaining("hibernate.connection.pool_size: maxSize must be at least 1, but was 0");
        Map<String, String> isolation = h2("poolkit");
        isolation.put("hibernate.connection.isolation", "SOMETIMES");
        assertThatThrownBy(() -> HibernateSupport.sessionFactory(isolation).close())
                .hasStackTraceContaining("hibernate.connection.isolation: transactionIsolation must be one of");
    }

    @Test
    void aPoolkitOptionWinsOverHibernatesInAnySpelling() {
        Map<String, String> p = h2("poolkit");
        p.put("hibernate.connection.pool_size", "3");
        p.put("hibernate.poolkit.max-size", "4");
        try (SessionFactory sf = HibernateSupport.sessionFactory(p)) {
            assertThat(HibernateSupport.pool(sf).getMaxSize()).isEqualTo(4);
        }
    }

    @Test
    void loginTimeoutTakesDurationsWhileABareNumberStaysSeconds() {
        Map<String, String> p = h2("poolkit");
        p.put("hibernate.poolkit.loginTimeout", "5s");
        p.put("hibernate.poolkit.acquireTimeout", "2500");
        try (SessionFactory sf = HibernateSupport.sessionFactory(p)) {
            PooledDataSource ds = HibernateSupport.pool(sf);
            assertThat(ds.getLoginTimeout()).isEqualTo(5);
            assertThat(ds.getAcquireTimeout()).as("a bare number is milliseconds for the pool's durations").isEqualTo(Duration.ofMillis(2500));
        }
        Map<String, String> seconds = h2("poolkit");
        seconds.put("hibernate.poolkit.loginTimeout", "7");
        try (SessionFactory sf = HibernateSupport.sessionFactory(seconds)) {
            assertThat(HibernateSupport.pool(sf).getLoginTimeout()).as("JDBC's seconds").isEqualTo(7);
        }
    }

    @Test
    void theStartUpBannerShowsTheMaskedUrlThePoolAndItsSettings() {
        Map<String, String> p = h2("poolkit");
        p.remove("hibernate.connection.password");
        String url = p.get("hibernate.connection.url") + ";PASSWORD=hunter2-in-url";
        p.put("hibernate.connection.url", url);
        p.put("hibernate.connection.isolation", "TRANSACTION_READ_COMMITTED");
        p.put("hibernate.poolkit.maxSize", "4");
        p.put("hibernate.poolkit.minIdle", "1");
        try (SessionFactory sf = HibernateSupport.sessionFactory(p)) {
            var registry = sf.unwrap(SessionFactoryImplementor.class).getServiceRegistry();
            JdbcEnvironment env = registry.requireService(JdbcEnvironment.class);
            DatabaseConnectionInfo info = registry.requireService(ConnectionProvider.class)
                    .getDatabaseConnectionInfo(env.getDialect(), env.getExtractedDatabaseMetaData());
            String banner = info.toInfoString();
            assertThat(banner).contains("Database JDBC URL [" + url.replace("hunter2-in-url", "****") + "]")
                    .contains("Pool: io.poolkit.hibernate.PoolkitConnectionProvider, pool 'hibernate'")
                    .contains("Minimum idle connections: 1").contains("Maximum pool size: 4").contains("Autocommit mode: true")
                    .contains("Isolation level: TRANSACTION_READ_COMMITTED").contains("Database driver: H2 JDBC Driver")
                    .doesNotContain("hunter2-in-url");
            assertThat(info.getJdbcUrl()).doesNotContain("hunter2-in-url");
            assertThat(info.getPoolMaxSize()).isEqualTo(4);
            assertThat(info.getPoolMinSize()).isEqualTo(1);
        }
    }

    @Test
    void otherHibernateConnectionKeysReachTheDriverAsHibernateDefinesThem() {
        Map<String, String> p = h2("poolkit");
        // Hibernate: hibernate.connection.<name> is the driver property <name> (H2 rejects a setting it does not know)
        p.put("hibernate.connection.MODE", "PostgreSQL");
        // Hibernate's own keys stay Hibernate's: as driver properties H2 would refuse them
        p.put("hibernate.connection.handling_mode", "DELAYED_ACQUISITION_AND_RELEASE_AFTER_TRANSACTION");
        p.put("hibernate.connection.provider_disables_autocommit", "false");
        p.put("hibernate.connection.pool_validation_interval", "30");
        try (SessionFactory sf = HibernateSupport.sessionFactory(p)) {
            assertThat(HibernateSupport.pool(sf).getDataSourceProperties()).containsOnlyKeys("MODE");
            assertThat(mode(sf)).isEqualTo("PostgreSQL");
        }
        p.put("hibernate.poolkit.dataSource.MODE", "MySQL");
        try (SessionFactory sf = HibernateSupport.sessionFactory(p)) {
            assertThat(mode(sf)).as("hibernate.poolkit.* wins").isEqualTo("MySQL");
        }
    }

    private static String mode(SessionFactory sf) {
        return sf.fromSession(s -> s.createNativeQuery("select setting_value from information_schema.settings where setting_name = 'MODE'",
                String.class).getSingleResult());
    }

    @Test
    void hibernatesOwnPoolSettingsForTheMinimumAndTheInitSqlApply() {
        Map<String, String> p = h2("poolkit");
        p.put("hibernate.connection.min_pool_size", "2");
        p.put("hibernate.connection.init_sql", "SET @POOLKIT_INIT = 1234");
        try (SessionFactory sf = HibernateSupport.sessionFactory(p)) {
            PooledDataSource ds = HibernateSupport.pool(sf);
            assertThat(ds.getMinIdle()).isEqualTo(2);
            assertThat(ds.getConnectionInitSql()).isEqualTo("SET @POOLKIT_INIT = 1234");
            String set = sf.fromSession(s -> s.createNativeQuery("select cast(@POOLKIT_INIT as varchar)", String.class).getSingleResult());
            assertThat(set).as("the init SQL ran").isEqualTo("1234");
        }
        Map<String, String> bad = h2("poolkit");
        bad.put("hibernate.connection.min_pool_size", "-1");
        assertThatThrownBy(() -> HibernateSupport.sessionFactory(bad).close())
                .hasStackTraceContaining("hibernate.connection.min_pool_size: minIdle must be");
    }

    @Test
    void providerDisablesAutocommitTurnsAutoCommitOffSoThatARollbackUndoesTheWork() {
        Map<String, String> p = h2("poolkit");
        // what guides recommend beside a pool: Hibernate then never switches auto-commit off itself
        p.put("hibernate.connection.provider_disables_autocommit", "true");
        try (SessionFactory sf = HibernateSupport.sessionFactory(p)) {
            assertThat(HibernateSupport.pool(sf).isAutoCommit()).isFalse();
            assertThatThrownBy(() -> sf.inTransaction(s -> {
                s.persist(new Greeting("abandoned"));
                throw new IllegalStateException("the work fails");
            })).hasMessage("the work fails");
            long rows = sf.fromSession(s -> s.createQuery("select count(g) from Greeting g", Long.class).getSingleResult());
            assertThat(rows).as("the rolled-back insert is gone").isZero();
        }
        for (String key : new String[] {"hibernate.connection.autocommit", "hibernate.poolkit.autoCommit"}) {
            Map<String, String> contradiction = h2("poolkit");
            contradiction.put("hibernate.connection.provider_disables_autocommit", "true");
            contradiction.put(key, "true");
            assertThatThrownBy(() -> HibernateSupport.sessionFactory(contradiction).close())
                    .hasStackTraceContaining("hibernate.connection.provider_disables_autocommit=true").hasStackTraceContaining(key + "=true");
        }
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
