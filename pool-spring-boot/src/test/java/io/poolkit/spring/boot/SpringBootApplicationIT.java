package io.poolkit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micrometer.core.instrument.MeterRegistry;
import io.poolkit.PoolStats;
import io.poolkit.jdbc.PooledDataSource;
import io.poolkit.jdbc.testing.Pg;
import io.poolkit.spring.boot.example.ExampleApplication;
import io.poolkit.spring.boot.example.GreetingService;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The example application, started once for the class against the real PostgreSQL as the README
 * tells its users to run it: its only poolkit-specific configuration is {@code spring.datasource.type}
 * and a few {@code spring.datasource.poolkit.*} options; this test adds only where the database is,
 * and a schema of the run's own, so that Flyway really migrates at this start-up (through the pool)
 * rather than finding an earlier run's tables. JdbcTemplate and {@code @Transactional} work, the
 * actuator reports the pool in health and metrics. Flyway with a user of its own (through
 * {@code DataSourceBuilder.derivedFrom}) and a wrong password get a start of their own.
 */
@Timeout(180)
@ExtendWith(OutputCaptureExtension.class)
class SpringBootApplicationIT {
    private static final String SCHEMA = "poolkit_boot_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static ConfigurableApplicationContext context;
    /** The pool's counts right after the start, before any test used it. */
    private static PoolStats atStartUp;

    /**
     * Starts the example with where the database is and the run's schema (its properties name a
     * fixed one), and {@code more} ({@code key=value}, replacing those): as command-line arguments,
     * which win over {@code application.properties} (the builder's {@code properties(..)} are
     * defaults, which lose). Each key once: Boot joins a repeated argument's values with commas.
     */
    private static ConfigurableApplicationContext startExample(String schema, String... more) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("spring.datasource.url", Pg.URL);
        settings.put("spring.datasource.username", Pg.USER);
        settings.put("spring.datasource.password", Pg.PASSWORD);
        settings.put("spring.datasource.poolkit.schema", schema);
        settings.put("spring.flyway.schemas", schema);
        for (String m : more) {
            int eq = m.indexOf('=');
            settings.put(m.substring(0, eq), m.substring(eq + 1));
        }
        List<String> args = new ArrayList<>();
        settings.forEach((key, value) -> args.add("--" + key + "=" + value));
        return new SpringApplicationBuilder(ExampleApplication.class).run(args.toArray(String[]::new));
    }

    @BeforeAll
    static void startTheApplication() {
        Pg.require();
        context = startExample(SCHEMA);
        atStartUp = context.getBean(PooledDataSource.class).stats();
    }

    @AfterAll
    static void stopTheApplication() throws SQLException {
        try {
            if (context != null) {
                PooledDataSource ds = context.getBean(PooledDataSource.class);
                context.close();
                assertThat(ds.isClosed()).as("the pool closes with the context").isTrue();
                assertThat(ds.stats().size()).as("every connection closed: %s", ds.stats()).isZero();
            }
        } finally {
            dropSchema(SCHEMA);
        }
    }

    private static void dropSchema(String schema) throws SQLException {
        try (Connection c = Pg.connect(); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + schema + " cascade");
        }
    }

    @Test
    void theApplicationsDataSourceIsPoolkitWithItsOptions() {
        DataSource dataSource = context.getBean(DataSource.class);
        assertThat(dataSource).isInstanceOf(PooledDataSource.class);
        PooledDataSource ds = (PooledDataSource) dataSource;
        assertThat(ds.getMaxSize()).isEqualTo(5);
        assertThat(ds.getMinIdle()).isEqualTo(1);
        assertThat(ds.getAcquireTimeout()).hasSeconds(5);
        assertThat(ds.getSchema()).isEqualTo(SCHEMA);
        assertThat(ds.toString()).doesNotContain(Pg.PASSWORD);
    }

    @Test
    void flywayMigratedAtStartUpThroughThePool() {
        assertThat(atStartUp.acquired()).as("Flyway's migration borrowed from the pool during the start: %s", atStartUp).isPositive();
        JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
        Integer applied = jdbc.queryForObject("select count(*) from " + SCHEMA + ".flyway_schema_history where version = '1' and success",
                Integer.class);
        assertThat(applied).as("V1 applied in this run's new schema").isEqualTo(1);
        assertThat(jdbc.queryForObject("select current_schema()", String.class)).as("spring.datasource.poolkit.schema").isEqualTo(SCHEMA);
    }

    @Test
    void jdbcTemplateReadsWhatTheServiceWrote() {
        GreetingService greetings = context.getBean(GreetingService.class);
        String text = "hello " + UUID.randomUUID();
        greetings.addAll(List.of(text));
        assertThat(greetings.count(text)).isEqualTo(1);
        assertThat(context.getBean(JdbcTemplate.class).queryForList("select text from greeting where text = ?", String.class, text))
                .containsExactly(text);
    }

    @Test
    void aTransactionalMethodThatThrowsLeavesNothingBehind() throws SQLException {
        GreetingService greetings = context.getBean(GreetingService.class);
        String first = "rolled back " + UUID.randomUUID();
        assertThatThrownBy(() -> greetings.addAll(List.of(first, " "))).isInstanceOf(IllegalArgumentException.class);
        assertThat(greetings.count(first)).as("the insert before the failure was rolled back").isZero();
        try (Connection c = Pg.connect();
                PreparedStatement ps = c.prepareStatement("select count(*) from " + SCHEMA + ".greeting where text = ?")) {
            ps.setString(1, first);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).as("seen from outside the pool too").isZero();
            }
        }
        PooledDataSource ds = context.getBean(PooledDataSource.class);
        assertThat(ds.stats().leased()).as("the connection went back").isZero();
    }

    @Test
    void healthReportsTheDatabaseUp() {
        HealthEndpoint health = context.getBean(HealthEndpoint.class);
        CompositeHealthDescriptor all = (CompositeHealthDescriptor) health.health();
        assertThat(all.getStatus()).isEqualTo(Status.UP);
        assertThat(all.getComponents()).containsKey("db");
        assertThat(all.getComponents().get("db").getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void metricsReportThePoolUnderBootsAndPoolkitsNames() throws Exception {
        MeterRegistry registry = context.getBean(MeterRegistry.class);
        PooledDataSource ds = context.getBean(PooledDataSource.class);
        try (Connection held = ds.getConnection()) {
            assertThat(registry.get("jdbc.connections.active").tag("name", "dataSource").gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("poolkit.resources").tag("pool", "dataSource").tag("state", "leased").gauge().value()).isEqualTo(1.0);
        }
        assertThat(registry.get("jdbc.connections.max").tag("name", "dataSource").gauge().value()).isEqualTo(5.0);
        assertThat(registry.get("jdbc.connections.min").tag("name", "dataSource").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("jdbc.connections.active").tag("name", "dataSource").gauge().value()).isZero();
        assertThat(registry.get("poolkit.resources.max").tag("pool", "dataSource").gauge().value()).isEqualTo(5.0);
        assertThat(registry.get("poolkit.acquires").tag("pool", "dataSource").functionCounter().count()).isPositive();
        assertThat(registry.get("poolkit.acquire").tag("pool", "dataSource").timer().count()).as("the listener's timer").isPositive();
    }

    @Test
    void aWrongPasswordFailsTheStartNamingTheUserButNeverPrintsThePassword(CapturedOutput output) throws SQLException {
        String wrong = "Wr0ng-" + UUID.randomUUID();
        String schema = SCHEMA + "_pw";
        Throwable failure;
        try {
            failure = catchThrowable(() -> startExample(schema, "spring.datasource.password=" + wrong, "logging.level.io.poolkit=TRACE").close());
        } finally {
            dropSchema(schema);
        }
        assertThat(failure).as("the start failed").isNotNull();
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).contains("the database refused the credentials for user " + Pg.USER + " (SQLState 28P01)")
                .doesNotContain(wrong);
        assertThat(output.getAll()).as("every log line, the pool's at TRACE").contains("refused the credentials").doesNotContain(wrong);
    }

    @Test
    void flywayWithItsOwnUserMigratesThroughADataSourceDerivedFromThePool() throws SQLException {
        String schema = SCHEMA + "_own";
        try (ConfigurableApplicationContext own = startExample(schema, "spring.flyway.user=" + Pg.USER,
                "spring.flyway.password=" + Pg.PASSWORD)) {
            assertThat(own.getBean(DataSource.class)).isInstanceOf(PooledDataSource.class);
            Integer applied = own.getBean(JdbcTemplate.class).queryForObject("select count(*) from " + schema
                    + ".flyway_schema_history where version = '1' and success", Integer.class);
            assertThat(applied).as("DataSourceBuilder.derivedFrom read the pool's url and driver").isEqualTo(1);
        } finally {
            dropSchema(schema);
        }
    }
}
