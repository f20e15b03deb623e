package io.poolkit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.poolkit.jdbc.PooledDataSource;
import io.poolkit.spring.boot.example.ExampleApplication;
import io.poolkit.spring.boot.example.GreetingService;
import io.poolkit.jdbc.testing.Pg;
import java.sql.Connection;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The example application, started once for the class against the real PostgreSQL, as its users
 * run it: its only poolkit-specific configuration is {@code spring.datasource.type} and a few
 * {@code spring.datasource.poolkit.*} options. Flyway migrates at start-up (with its own user, so
 * through {@code DataSourceBuilder.derivedFrom}), JdbcTemplate and {@code @Transactional} work, the
 * actuator reports the pool in health and metrics.
 */
@Timeout(180)
class SpringBootApplicationIT {
    private static ConfigurableApplicationContext context;

    @BeforeAll
    static void startTheApplication() {
        Pg.require();
        context = new SpringApplicationBuilder(ExampleApplication.class).properties(
                "spring.datasource.url=" + Pg.URL, "spring.datasource.username=" + Pg.USER, "spring.datasource.password=" + Pg.PASSWORD,
                // Flyway with its own user: Boot derives its DataSource from the pool's url and driver getters
                "spring.flyway.user=" + Pg.USER, "spring.flyway.password=" + Pg.PASSWORD).run();
    }

    @AfterAll
    static void stopTheApplication() {
        if (context == null) {
            return;
        }
        PooledDataSource ds = context.getBean(PooledDataSource.class);
        context.close();
        assertThat(ds.isClosed()).as("the pool closes with the context").isTrue();
        assertThat(ds.stats().size()).as("every connection closed: %s", ds.stats()).isZero();
    }

    @Test
    void theApplicationsDataSourceIsPoolkitWithItsOptions() {
        DataSource dataSource = context.getBean(DataSource.class);
        assertThat(dataSource).isInstanceOf(PooledDataSource.class);
        PooledDataSource ds = (PooledDataSource) dataSource;
        assertThat(ds.getMaxSize()).isEqualTo(5);
        assertThat(ds.getMinIdle()).isEqualTo(1);
        assertThat(ds.getSchema()).isEqualTo("poolkit_spring_example");
        assertThat(ds.isStarted()).as("Flyway's migration started it").isTrue();
        assertThat(ds.toString()).doesNotContain(Pg.PASSWORD);
    }

    @Test
    void flywayMigratedAtStartUp() {
        JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
        Integer applied = jdbc.queryForObject("select count(*) from poolkit_spring_example.flyway_schema_history where version = '1'"
                + " and success", Integer.class);
        assertThat(applied).isEqualTo(1);
        assertThat(jdbc.queryForObject("select current_schema()", String.class)).as("spring.datasource.poolkit.schema")
                .isEqualTo("poolkit_spring_example");
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
    void aTransactionalMethodThatThrowsLeavesNothingBehind() {
        GreetingService greetings = context.getBean(GreetingService.class);
        String first = "rolled back " + UUID.randomUUID();
        assertThatThrownBy(() -> greetings.addAll(List.of(first, " "))).isInstanceOf(IllegalArgumentException.class);
        assertThat(greetings.count(first)).as("the insert before the failure was rolled back").isZero();
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
}
