package io.poolkit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.jdbc.PooledDataSource;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.metadata.CompositeDataSourcePoolMetadataProvider;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The auto-configuration on embedded H2, one small context per case: what
 * {@code spring.datasource.type} and {@code spring.datasource.poolkit.*} make, when it stands back,
 * and Boot's {@code DataSourceBuilder} on a {@code PooledDataSource}.
 */
@Timeout(120)
@ExtendWith(OutputCaptureExtension.class)
class PoolkitAutoConfigurationTest {
    private static final AtomicInteger DB = new AtomicInteger();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PoolkitDataSourceAutoConfiguration.class, DataSourceAutoConfiguration.class,
                    PoolkitDataSourcePoolMetadataAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=jdbc:h2:mem:boot" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1",
                    "spring.datasource.username=sa", "spring.datasource.password=");

    @Test
    void theTypeAloneMakesPoolkitTheDataSource() {
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource").run(context -> {
            assertThat(context).hasSingleBean(DataSource.class);
            PooledDataSource ds = context.getBean(PooledDataSource.class);
            assertThat(ds.isStarted()).as("the pool starts on its first connection").isFalse();
            assertThat(ds.getUrl()).startsWith("jdbc:h2:mem:boot");
            assertThat(ds.getUsername()).isEqualTo("sa");
            assertThat(ds.getDriverClassName()).as("Boot's DataSourceBuilder sets it from the URL").isEqualTo("org.h2.Driver");
            try (Connection c = ds.getConnection()) {
                assertThat(c.isValid(1)).isTrue();
            }
        });
    }

    @Test
    void poolkitOptionsBindWithRelaxedNames() {
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource", "spring.datasource.name=orders",
                "spring.datasource.poolkit.max-size=7", "spring.datasource.poolkit.minIdle=2",
                "spring.datasource.poolkit.acquire-timeout=3s", "spring.datasource.poolkit.max-lifetime=PT20M",
                "spring.datasource.poolkit.validate-after-idle=250ms", "spring.datasource.poolkit.idle-order=fifo",
                "spring.datasource.poolkit.transaction-isolation=TRANSACTION_READ_COMMITTED",
                "spring.datasource.poolkit.data-source-properties.MODE=PostgreSQL").run(context -> {
                    PooledDataSource ds = context.getBean(PooledDataSource.class);
                    assertThat(ds.getName()).as("spring.datasource.name").isEqualTo("orders");
                    assertThat(ds.getMaxSize()).isEqualTo(7);
                    assertThat(ds.getMinIdle()).isEqualTo(2);
                    assertThat(ds.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(ds.getMaxLifetime()).isEqualTo(Duration.ofMinutes(20));
                    assertThat(ds.getValidateAfterIdle()).isEqualTo(Duration.ofMillis(250));
                    assertThat(ds.getIdleOrder()).hasToString("FIFO");
                    assertThat(ds.getTransactionIsolation()).isEqualTo("TRANSACTION_READ_COMMITTED");
                    assertThat(ds.getDataSourceProperties()).containsEntry("MODE", "PostgreSQL");
                    ds.getConnection().close();
                    assertThat(ds.stats().maxSize()).isEqualTo(7);
                });
    }

    @Test
    void aBadOptionFailsTheStartWithTheRuleAndTheValue() {
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource", "spring.datasource.poolkit.max-size=0")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessage("maxSize must be at least 1, but was 0");
                });
    }

    @Test
    void aMisspelledOptionFailsTheStartNamingTheKey() {
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource", "spring.datasource.poolkit.max-sise=3")
                .run(context -> {
                    assertThat(context).as("a typo is not ignored: the pool would run with the default maxSize").hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageStartingWith("spring.datasource.poolkit.max-sise is not an"
                            + " option of poolkit's PooledDataSource: check the spelling. The options: acquire-timeout, auto-commit,")
                            .hasMessageContaining(" max-size, ").hasMessageEndingWith("; a driver property goes under"
                                    + " spring.datasource.poolkit.data-source-properties.<name>");
                });
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource", "spring.datasource.poolkit.started=true")
                .run(context -> assertThat(context).as("a read-only property cannot be set either").hasFailed());
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource",
                "spring.datasource.poolkit.data-source-properties.anyDriverProperty=1", "spring.datasource.poolkit.maxSize=3")
                .run(context -> {
                    assertThat(context).as("driver properties are free-form").hasNotFailed();
                    assertThat(context.getBean(PooledDataSource.class).getDataSourceProperties()).containsEntry("anyDriverProperty", "1");
                });
    }

    @Test
    void hikariCpsNamesFailTheStartNamingPoolkitsNameForEach() {
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource",
                "spring.datasource.poolkit.maximum-pool-size=10", "spring.datasource.poolkit.connection-timeout=5000").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageStartingWith("spring.datasource.poolkit.connection-timeout,"
                            + " spring.datasource.poolkit.maximum-pool-size are not options of poolkit's PooledDataSource: check the"
                            + " spelling. HikariCP's connection-timeout is acquire-timeout here. HikariCP's maximum-pool-size is max-size"
                            + " here. The options: acquire-timeout,");
                });
    }

    @Test
    void aMisspelledSecretIsNamedInTheStartUpReportButItsValueNeverPrinted(CapturedOutput output) {
        String secret = "hunter2-typo";
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(Minimal.class).web(WebApplicationType.NONE).run(
                "--spring.datasource.type=io.poolkit.jdbc.PooledDataSource", "--spring.datasource.url=jdbc:h2:mem:typo" + DB.incrementAndGet(),
                "--spring.datasource.poolkit.pasword=" + secret));
        assertThat(failure).as("the start failed").isNotNull();
        assertThat(output).as("Boot's start-up report").contains("spring.datasource.poolkit.pasword is not an option");
        assertThat(output.getAll()).doesNotContain(secret);
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).contains("spring.datasource.poolkit.pasword").doesNotContain(secret);
    }

    /** An application with nothing but the data source configurations, started as a real SpringApplication. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({PoolkitDataSourceAutoConfiguration.class, PoolkitPropertiesAutoConfiguration.class,
            DataSourceAutoConfiguration.class})
    static class Minimal {
    }

    @Test
    void aPasswordGivenAsADriverPropertyIsRefusedWithoutPrintingIt(CapturedOutput output) {
        String secret = "hunter2-driver-prop";
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(Minimal.class).web(WebApplicationType.NONE).run(
                "--spring.datasource.type=io.poolkit.jdbc.PooledDataSource", "--spring.datasource.url=jdbc:h2:mem:prop" + DB.incrementAndGet(),
                "--spring.datasource.poolkit.data-source-properties.password=" + secret));
        assertThat(failure).as("the start failed").isNotNull();
        assertThat(output).as("Boot's start-up report").contains("spring.datasource.poolkit.data-source-properties.password is"
                + " not a driver property here (its value is not shown): set the password with spring.datasource.password");
        assertThat(output.getAll()).doesNotContain(secret);
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain(secret);
    }

    @Test
    void aUrlWithAPasswordThatIsNoJdbcUrlIsRefusedWithThePasswordMasked(CapturedOutput output) {
        String secret = "hunter2-in-url";
        for (String key : new String[] {"spring.datasource.url", "spring.datasource.poolkit.url", "spring.datasource.poolkit.jdbc-url"}) {
            Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(Minimal.class).web(WebApplicationType.NONE).run(
                    "--spring.datasource.type=io.poolkit.jdbc.PooledDataSource",
                    "--" + key + "=postgresql://127.0.0.1:5432/app?user=app&password=" + secret));
            assertThat(failure).as("the start failed").isNotNull();
            assertThat(output.getAll()).as(key).doesNotContain(secret);
            if (key.startsWith("spring.datasource.poolkit.")) { // Boot checks its own spring.datasource.url, without the value
                assertThat(output).as(key).contains(key + ": url must start with \"jdbc:\", but was"
                        + " \"postgresql://127.0.0.1:5432/app?user=app&password=****\"");
            }
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            assertThat(trace.toString()).as(key).doesNotContain(secret);
        }
    }

    @Test
    void bootsStartUpReportGivesTheRuleOfABadValueNotAParserDetail(CapturedOutput output) {
        String[][] cases = {
            {"transaction-isolation=READ_COMITTED", "transactionIsolation must be one of TRANSACTION_READ_UNCOMMITTED"},
            {"login-timeout=1.5s", "login-timeout must be whole seconds such as 30, 30s or PT30S, but was \"1.5s\""}};
        for (String[] c : cases) {
            Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(Minimal.class).web(WebApplicationType.NONE).run(
                    "--spring.datasource.type=io.poolkit.jdbc.PooledDataSource",
                    "--spring.datasource.url=jdbc:h2:mem:report" + DB.incrementAndGet(), "--spring.datasource.poolkit." + c[0]));
            assertThat(failure).as("the start failed").isNotNull();
            String report = output.getAll().substring(output.getAll().lastIndexOf("APPLICATION FAILED TO START"));
            String key = c[0].substring(0, c[0].indexOf('='));
            assertThat(report).as(c[0]).contains("spring.datasource.poolkit." + key).contains(c[0].substring(key.length() + 1))
                    .containsPattern("Reason: .*" + java.util.regex.Pattern.quote(IllegalArgumentException.class.getName() + ": " + c[1]));
        }
    }

    @Test
    void withoutTheTypeItStandsBack() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(DataSource.class);
            assertThat(context.getBean(DataSource.class)).isNotInstanceOf(PooledDataSource.class);
        });
    }

    @Test
    void anApplicationsOwnDataSourceWinsAndIsStillDescribed() {
        runner.withPropertyValues("spring.datasource.type=io.poolkit.jdbc.PooledDataSource").withUserConfiguration(OwnDataSource.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(DataSource.class);
                    PooledDataSource ds = context.getBean(PooledDataSource.class);
                    assertThat(ds.getName()).isEqualTo("own");
                    DataSourcePoolMetadata metadata = new CompositeDataSourcePoolMetadataProvider(
                            context.getBeanProvider(DataSourcePoolMetadataProvider.class).orderedStream().toList())
                            .getDataSourcePoolMetadata(ds);
                    assertThat(metadata).isInstanceOf(PoolkitDataSourcePoolMetadata.class);
                    assertThat(metadata.getMax()).isEqualTo(3);
                    try (Connection c = ds.getConnection()) {
                        assertThat(metadata.getActive()).isEqualTo(1);
                        assertThat(metadata.getUsage()).isEqualTo(1f / 3);
                    }
                    assertThat(metadata.getActive()).isZero();
                    assertThat(metadata.getIdle()).isEqualTo(1);
                    assertThat(metadata.getDefaultAutoCommit()).isTrue();
                    assertThat(metadata.getValidationQuery()).as("connections are checked with isValid").isNull();
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnDataSource {
        @Bean
        PooledDataSource dataSource() {
            PooledDataSource ds = new PooledDataSource();
            ds.setName("own");
            ds.setUrl("jdbc:h2:mem:own" + DB.incrementAndGet());
            ds.setUsername("sa");
            ds.setMaxSize(3);
            return ds;
        }
    }

    @Test
    void derivedFromCopiesTheConnectionForAnotherUser() throws Exception {
        try (PooledDataSource app = new PooledDataSource()) {
            app.setUrl("jdbc:h2:mem:derived" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            app.setUsername("sa");
            app.setPassword("");
            app.setDriverClassName("org.h2.Driver");
            try (Connection c = app.getConnection()) {
                c.createStatement().execute("create user flyway password 'fly' admin");
            }
            // what Flyway and Liquibase do for spring.flyway.user: the original's url and driver, their own user
            DataSource derived = DataSourceBuilder.derivedFrom(app).username("flyway").password("fly").build();
            assertThat(derived).isInstanceOf(PooledDataSource.class).isNotSameAs(app);
            try (PooledDataSource d = (PooledDataSource) derived) {
                assertThat(d.getUrl()).isEqualTo(app.getUrl());
                assertThat(d.getDriverClassName()).isEqualTo("org.h2.Driver");
                assertThat(d.getUsername()).isEqualTo("flyway");
                try (Connection c = d.getConnection()) {
                    assertThat(c.getMetaData().getUserName()).isEqualToIgnoringCase("flyway");
                }
            }
        }
    }

    @Test
    void theOptionsAreInBootsConfigurationMetadata() throws Exception {
        String metadata = null;
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (text.contains("spring.datasource.poolkit")) {
                    metadata = text;
                }
            }
        }
        assertThat(metadata).as("pool-spring-boot's metadata is on the class path").isNotNull();
        assertThat(metadata).contains("\"spring.datasource.poolkit.max-size\"", "\"spring.datasource.poolkit.acquire-timeout\"",
                "\"spring.datasource.poolkit.leak-detection\"", "\"spring.datasource.poolkit.data-source-properties\"");
    }
}
