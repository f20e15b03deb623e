package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.Pool;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.sql.DataSource;
import io.poolkit.jdbc.testing.SimpleDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every option is validated where it is set, and the error names the rule and the rejected value. */
class BuilderValidationTest {

    static Stream<Arguments> badOptions() {
        return Stream.of(
                bad("url blank", b -> b.url(" "), "url must not be blank, but was \" \""),
                bad("url not jdbc", b -> b.url("postgresql://h/db"), "url must start with \"jdbc:\", but was \"postgresql://h/db\""),
                bad("url null", b -> b.url(null), "url must not be null"),
                bad("username blank", b -> b.username(""), "username must not be blank, but was \"\""),
                bad("password null", b -> b.password(null), "password must not be null"),
                bad("property key blank", b -> b.property(" ", "x"), "property key must not be blank"),
                bad("property value null", b -> b.property("ssl", null), "the value of property ssl must not be null"),
                bad("property user", b -> b.property("user", "app"), "property \"user\" is set with .username(..)"),
                bad("property password", b -> b.property("password", "x"), "property \"password\" is set with .password(..)"),
                bad("driver null", b -> b.driver(null), "driver must not be null"),
                bad("dataSource null", b -> b.dataSource(null), "dataSource must not be null"),
                bad("isolation", b -> b.transactionIsolation(3), "transactionIsolation must be one of TRANSACTION_READ_UNCOMMITTED (1),"
                        + " TRANSACTION_READ_COMMITTED (2), TRANSACTION_REPEATABLE_READ (4) or TRANSACTION_SERIALIZABLE (8), but was 3"),
                bad("isolation none", b -> b.transactionIsolation(0), "but was 0"),
                bad("catalog blank", b -> b.catalog(""), "catalog must not be blank"),
                bad("schema blank", b -> b.schema(" "), "schema must not be blank"),
                bad("init sql blank", b -> b.connectionInitSql(""), "connectionInitSql must not be blank"),
                bad("login timeout zero", b -> b.loginTimeout(Duration.ZERO), "loginTimeout must be more than zero, but was PT0S"),
                bad("login timeout negative", b -> b.loginTimeout(Duration.ofSeconds(-1)), "loginTimeout must be more than zero"),
                bad("classifier null", b -> b.fatalErrors(null), "fatalErrors must not be null"),
                bad("init fail timeout", b -> b.initializationFailTimeout(Duration.ofMillis(-1)), "initializationFailTimeout must not be negative"),
                bad("name blank", b -> b.name(" "), "name must not be blank"),
                bad("maxSize", b -> b.maxSize(0), "maxSize must be at least 1, but was 0"),
                bad("minIdle", b -> b.minIdle(-1), "minIdle must be at least 0, but was -1"),
                bad("acquireTimeout", b -> b.acquireTimeout(Duration.ofMillis(-5)), "acquireTimeout must not be negative"),
                bad("maxWaiters", b -> b.maxWaiters(-1), "maxWaiters must be at least 0, but was -1"),
                bad("idleTimeout", b -> b.idleTimeout(Duration.ofSeconds(-1)), "idleTimeout must not be negative"),
                bad("maxLifetime", b -> b.maxLifetime(Duration.ZERO), "maxLifetime must be more than zero"),
                bad("lifetimeJitter", b -> b.lifetimeJitter(1.5), "lifetimeJitter must be between 0.0 and 1.0, but was 1.5"),
                bad("validateAfterIdle", b -> b.validateAfterIdle(Duration.ofMillis(-1)), "validateAfterIdle must not be negative"),
                bad("validationTimeout", b -> b.validationTimeout(Duration.ZERO), "validationTimeout must be more than zero"),
                bad("maxUses", b -> b.maxUses(0), "maxUses must be at least 1, but was 0"),
                bad("keepaliveInterval", b -> b.keepaliveInterval(Duration.ZERO), "keepaliveInterval must be more than zero"),
                bad("maintenanceInterval", b -> b.maintenanceInterval(Duration.ZERO), "maintenanceInterval must be more than zero"),
                bad("maxConcurrentCreates", b -> b.maxConcurrentCreates(0), "maxConcurrentCreates must be at least 1, but was 0"),
                bad("createRetry", b -> b.createRetry(Duration.ofSeconds(2), Duration.ofSeconds(1)), "createRetry initial (PT2S) must not exceed max (PT1S)"),
                bad("circuitBreaker", b -> b.circuitBreaker(0, Duration.ofSeconds(1)), "circuitBreaker failures must be at least 1, but was 0"),
                bad("idleOrder", b -> b.idleOrder(null), "idleOrder must not be null"),
                bad("leakDetection", b -> b.leakDetection(Duration.ZERO), "leakDetection must be more than zero"),
                bad("shutdownTimeout", b -> b.shutdownTimeout(Duration.ofSeconds(-1)), "shutdownTimeout must not be negative"),
                bad("threadFactory", b -> b.threadFactory(null), "threadFactory must not be null"));
    }

    private static Arguments bad(String what, Consumer<PooledDataSourceBuilder> option, String message) {
        return Arguments.of(what, option, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOptions")
    void badOptionIsRejectedWhereItIsSetWithTheRuleAndTheValue(String what, Consumer<PooledDataSourceBuilder> option, String message) {
        assertThatThrownBy(() -> option.accept(PooledDataSource.builder())).isInstanceOfAny(IllegalArgumentException.class,
                NullPointerException.class).hasMessageContaining(message);
    }

    @Test
    void neitherUrlNorDataSourceIsRejectedAtBuild() {
        assertThatThrownBy(() -> PooledDataSource.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a PooledDataSource needs url (jdbcUrl), dataSource or dataSourceClassName, and none is set");
    }

    @Test
    void bothUrlAndDataSourceAreRejectedAtBuild() {
        DataSource h2 = new SimpleDataSource("jdbc:h2:mem:never");
        assertThatThrownBy(() -> PooledDataSource.builder().url("jdbc:h2:mem:x").dataSource(h2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("are both set; keep one");
    }

    @Test
    void driverPropertiesWithADataSourceAreRejectedAtBuild() {
        assertThatThrownBy(() -> PooledDataSource.builder().dataSource(new SimpleDataSource("jdbc:h2:mem:never")).property("ssl", "true").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("apply to url connections")
                .hasMessageContaining("[ssl]");
    }

    @Test
    void minIdleAboveMaxSizeIsRejectedAtBuildWithBothValues() {
        assertThatThrownBy(() -> PooledDataSource.builder().url("jdbc:h2:mem:never").maxSize(2).minIdle(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("minIdle (3) must not exceed maxSize (2)");
    }

    @Test
    void foreverIsAcceptedWhereItMeansOff() {
        PooledDataSource.builder().maxLifetime(Pool.FOREVER).keepaliveInterval(Pool.FOREVER).idleTimeout(Pool.FOREVER)
                .leakDetection(Pool.FOREVER).loginTimeout(Pool.FOREVER).initializationFailTimeout(Pool.FOREVER);
    }
}
