package io.poolkit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.poolkit.Pool;
import io.poolkit.jdbc.PooledDataSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * Which pool Boot uses when {@code spring.datasource.type} is left out: poolkit when no pool Boot
 * prefers is on the class path (HikariCP hidden here), HikariCP when it is, and then a WARN if
 * {@code spring.datasource.poolkit.*} is set; and how the pool's durations bind ({@code forever},
 * {@code -1}, login-timeout in seconds) without changing any other property's. On embedded H2.
 */
@Timeout(120)
@ExtendWith(OutputCaptureExtension.class)
class PoolChoiceTest {
    private static final AtomicInteger DB = new AtomicInteger();
    private static final String IGNORED = "but the application's DataSource is";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PoolkitDataSourceAutoConfiguration.class, DataSourceAutoConfiguration.class,
                    PoolkitPropertiesAutoConfiguration.class, JdbcTemplateAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=jdbc:h2:mem:choice" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1",
                    "spring.datasource.username=sa", "spring.datasource.password=");

    @Test
    void withoutAnyOtherPoolPoolkitIsBootsPoolWithoutTheType(CapturedOutput output) {
        runner.withClassLoader(new FilteredClassLoader(HikariDataSource.class)).withPropertyValues("spring.datasource.poolkit.max-size=4")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(DataSource.class).hasSingleBean(JdbcTemplate.class);
                    PooledDataSource ds = context.getBean(PooledDataSource.class);
                    assertThat(ds.getMaxSize()).isEqualTo(4);
                    assertThat(context.getBean(JdbcTemplate.class).queryForObject("select 41 + 1", Integer.class)).isEqualTo(42);
                });
        assertThat(output).doesNotContain(IGNORED);
    }

    @Test
    void withoutHikariAnotherNamedTypeStillWins() {
        runner.withClassLoader(new FilteredClassLoader(HikariDataSource.class))
                .withPropertyValues("spring.datasource.type=" + SimpleDriverDataSource.class.getName()).run(context -> {
                    assertThat(context).hasSingleBean(DataSource.class);
                    assertThat(context.getBean(DataSource.class)).isInstanceOf(SimpleDriverDataSource.class);
                });
    }

    @Test
    void withHikariPresentPoolkitSettingsAreReportedAsIgnoredNamingThePoolAndTheFix(CapturedOutput output) {
        runner.withPropertyValues("spring.datasource.poolkit.max-size=7", "spring.datasource.poolkit.acquire-timeout=5s").run(context -> {
            assertThat(context).hasSingleBean(DataSource.class);
            assertThat(context.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class);
        });
        assertThat(output).contains("WARN").contains("[spring.datasource.poolkit.acquire-timeout, spring.datasource.poolkit.max-size] are set,"
                + " but the application's DataSource is com.zaxxer.hikari.HikariDataSource (bean 'dataSource'), not poolkit's: these"
                + " settings are ignored. Set spring.datasource.type=io.poolkit.jdbc.PooledDataSource to make poolkit the pool");
    }

    @Test
    void withHikariPresentAndNoPoolkitSettingsNothingIsSaid(CapturedOutput output) {
        runner.run(context -> assertThat(context.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class));
        assertThat(output).doesNotContain(IGNORED);
    }

    @Test
    void whenPoolkitIsThePoolItsSettingsAreUsedAndNothingIsSaid(CapturedOutput output) {
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource", "spring.datasource.poolkit.max-size=7")
                .run(context -> assertThat(context.getBean(PooledDataSource.class).getMaxSize()).isEqualTo(7));
        assertThat(output).doesNotContain(IGNORED);
    }

    @Test
    void hikariSettingsLeftBehindWhenPoolkitIsThePoolAreReportedWithPoolkitsNames(CapturedOutput output) {
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource", "spring.datasource.hikari.maximum-pool-size=20",
                "spring.datasource.hikari.auto-commit=false").run(context -> assertThat(context).hasNotFailed());
        assertThat(output).contains("WARN").contains("[spring.datasource.hikari.auto-commit, spring.datasource.hikari.maximum-pool-size]"
                + " are set, but the application's DataSource is poolkit's: HikariCP's settings are ignored. Set"
                + " spring.datasource.poolkit.auto-commit, spring.datasource.poolkit.max-size instead");
    }

    @Test
    void hibernatesProviderDisablesAutocommitTurnsThePoolsAutoCommitOffOrFailsBesideAutoCommitOn() {
        String promise = "spring.jpa.properties.hibernate.connection.provider_disables_autocommit=true";
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource", promise).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PooledDataSource.class).isAutoCommit()).as("Hibernate will never turn it off itself").isFalse();
        });
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource", promise,
                "spring.datasource.poolkit.auto-commit=true").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageStartingWith("spring.jpa.properties.hibernate.connection"
                            + ".provider_disables_autocommit=true promises Hibernate connections with auto-commit off, but"
                            + " spring.datasource.poolkit.auto-commit=true turns it on");
                });
    }

    @Test
    void foreverMinusOneAndLoginTimeoutBindAsInTheProperties() {
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource",
                "spring.datasource.poolkit.initialization-fail-timeout=-1", "spring.datasource.poolkit.leak-detection=forever",
                "spring.datasource.poolkit.keepalive-interval=FOREVER", "spring.datasource.poolkit.acquire-timeout=2500",
                "spring.datasource.poolkit.idle-timeout=PT5M", "spring.datasource.poolkit.login-timeout=5s").run(context -> {
                    assertThat(context).hasNotFailed();
                    PooledDataSource ds = context.getBean(PooledDataSource.class);
                    assertThat(ds.getInitializationFailTimeout()).isEqualTo(Pool.FOREVER);
                    assertThat(ds.getLeakDetection()).isEqualTo(Pool.FOREVER);
                    assertThat(ds.getKeepaliveInterval()).isEqualTo(Pool.FOREVER);
                    assertThat(ds.getAcquireTimeout()).as("a bare number is milliseconds, as Boot reads it").isEqualTo(Duration.ofMillis(2500));
                    assertThat(ds.getIdleTimeout()).isEqualTo(Duration.ofMinutes(5));
                    assertThat(ds.getLoginTimeout()).isEqualTo(5);
                });
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource", "spring.datasource.poolkit.login-timeout=7")
                .run(context -> assertThat(context.getBean(PooledDataSource.class).getLoginTimeout()).as("JDBC's seconds").isEqualTo(7));
    }

    @Test
    void foreverStaysPoolkitsOwnOtherDurationsBindAsBootBindsThem() {
        runner.withUserConfiguration(OtherSettings.Config.class).withPropertyValues("other.timeout=5s").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(OtherSettings.class).getTimeout()).isEqualTo(Duration.ofSeconds(5));
        });
        runner.withUserConfiguration(OtherSettings.Config.class).withPropertyValues("other.timeout=forever")
                .run(context -> assertThat(context).hasFailed());
    }

    /** An application's own settings with a duration. */
    @ConfigurationProperties("other")
    public static class OtherSettings {
        private Duration timeout;

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        @EnableConfigurationProperties(OtherSettings.class)
        static class Config {
        }
    }
}
