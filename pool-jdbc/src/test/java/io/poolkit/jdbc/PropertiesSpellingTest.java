package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.Pool;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The properties form's spellings: two keys for one property must agree, {@code forever} is
 * {@link Pool#FOREVER}, and {@code loginTimeout} takes durations with a bare number in seconds.
 * Nothing here starts a pool.
 */
class PropertiesSpellingTest {

    private static Properties props(String... keysAndValues) {
        Properties p = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return p;
    }

    @Test
    void urlAndJdbcUrlWithDifferentValuesAreRejectedNamingBoth() {
        assertThatThrownBy(() -> new PooledDataSource(props("url", "jdbc:postgresql://127.0.0.1:5432/app", "jdbcUrl",
                "jdbc:postgresql://elsewhere/db?password=hunter2"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jdbcUrl=jdbc:postgresql://elsewhere/db?password=**** and url=jdbc:postgresql://127.0.0.1:5432/app"
                        + " set the same property to different values; keep one");
    }

    @Test
    void twoSpellingsOfMaxSizeWithDifferentValuesAreRejectedNamingBoth() {
        assertThatThrownBy(() -> new PooledDataSource(props("max-size", "3", "maxSize", "7"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max-size=3 and maxSize=7 set the same property to different values; keep one");
        assertThatThrownBy(() -> new PooledDataSource(props("dataSource.socketTimeout", "30", "dataSourceProperties.socketTimeout", "10")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dataSource.socketTimeout=30 and dataSourceProperties.socketTimeout=10 set the same property to different"
                        + " values; keep one");
    }

    @Test
    void aSecretIsNotShownWhenItsSpellingsDisagree() {
        assertThatThrownBy(() -> new PooledDataSource(props("password", "hunter2", "PASSWORD", "letmein")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PASSWORD and password (values not shown) set the same property to different values; keep one");
    }

    @Test
    void aHikariCpNameIsRejectedNamingPoolkitsNameForIt() {
        assertThatThrownBy(() -> new PooledDataSource(props("maximumPoolSize", "10"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown data source property \"maximumPoolSize\": HikariCP's maximumPoolSize is maxSize here;");
        assertThatThrownBy(() -> new PooledDataSource(props("connection-timeout", "5s"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown data source property \"connection-timeout\": HikariCP's connectionTimeout is"
                        + " acquireTimeout here;");
        assertThatThrownBy(() -> new PooledDataSource(props("connectionTestQuery", "select 1"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HikariCP's connectionTestQuery has no equivalent: connections are checked with"
                        + " Connection.isValid (validationTimeout, validateAfterIdle)");
        for (String hikari : List.of("minimumIdle", "keepaliveTime", "leakDetectionThreshold", "poolName", "registerMbeans")) {
            assertThat(catchThrowable(() -> new PooledDataSource(props(hikari, "1")))).as(hikari).hasMessageContaining("HikariCP's " + hikari + " is ");
        }
    }

    @Test
    void twoSpellingsOfTheSameValueAreFine() {
        PooledDataSource ds = new PooledDataSource(props("url", "jdbc:h2:mem:x", "jdbcUrl", "jdbc:h2:mem:x", "max-size", "3", "maxSize",
                "3", "acquireTimeout", "5s", "acquire-timeout", "PT5S", "jmx", "true", "JMX", "TRUE"));
        assertThat(ds.getUrl()).isEqualTo("jdbc:h2:mem:x");
        assertThat(ds.getMaxSize()).isEqualTo(3);
        assertThat(ds.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ds.isJmx()).isTrue();
    }

    @Test
    void foreverIsPoolForeverInAnyCase() {
        PooledDataSource ds = new PooledDataSource(props("initialization-fail-timeout", "forever", "leakDetection", "FOREVER",
                "keepaliveInterval", " Forever ", "acquireTimeout", "forever"));
        assertThat(ds.getInitializationFailTimeout()).isEqualTo(Pool.FOREVER);
        assertThat(ds.getLeakDetection()).isEqualTo(Pool.FOREVER);
        assertThat(ds.getKeepaliveInterval()).isEqualTo(Pool.FOREVER);
        assertThat(ds.getAcquireTimeout()).isEqualTo(Pool.FOREVER);
    }

    @Test
    void minusOneIsForeverForInitializationFailTimeoutOnlyAsHikariSpellsIt() {
        assertThat(new PooledDataSource(props("initialization-fail-timeout", "-1")).getInitializationFailTimeout()).isEqualTo(Pool.FOREVER);
        assertThat(new PooledDataSource(props("initializationFailTimeout", "-1")).getInitializationFailTimeout()).isEqualTo(Pool.FOREVER);
        assertThatThrownBy(() -> new PooledDataSource(props("initializationFailTimeout", "-2"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("initializationFailTimeout must not be negative");
        assertThatThrownBy(() -> new PooledDataSource(props("acquireTimeout", "-1"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("acquireTimeout must not be negative");
    }

    @Test
    void aBadDurationNamesEveryAcceptedForm() {
        assertThatThrownBy(() -> new PooledDataSource(props("idleTimeout", "never"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleTimeout must be a duration such as 30s, 500ms, PT30S or forever, but was \"never\"");
    }

    @Test
    void loginTimeoutTakesDurationsAndABareNumberIsSeconds() {
        assertThat(new PooledDataSource(props("loginTimeout", "5")).getLoginTimeout()).as("JDBC's seconds").isEqualTo(5);
        assertThat(new PooledDataSource(props("loginTimeout", "5s")).getLoginTimeout()).isEqualTo(5);
        assertThat(new PooledDataSource(props("login-timeout", "PT1M")).getLoginTimeout()).isEqualTo(60);
        assertThat(new PooledDataSource(props("loginTimeout", "2000ms")).getLoginTimeout()).isEqualTo(2);
        assertThat(new PooledDataSource(props("loginTimeout", "5", "login-timeout", "5s")).getLoginTimeout()).as("the same value")
                .isEqualTo(5);
        assertThatThrownBy(() -> new PooledDataSource(props("loginTimeout", "500ms"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("loginTimeout must be whole seconds (JDBC's login timeout), but was \"500ms\"");
        assertThatThrownBy(() -> new PooledDataSource(props("loginTimeout", "-1"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("loginTimeout must be at least 0 seconds");
        assertThatThrownBy(() -> new PooledDataSource(props("loginTimeout", "soon"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("loginTimeout must be whole seconds such as 30, 30s or PT30S, but was \"soon\"");
        assertThatThrownBy(() -> new PooledDataSource(props("loginTimeout", "forever"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("loginTimeout must be whole seconds such as 30, 30s or PT30S, but was \"forever\"");
    }

    @Test
    void aDurationTooLongForJavaNamesTheKeyAndTheValue() {
        for (String value : List.of("99999999999999999d", "9999999999999999us", "999999999999999999h")) {
            assertThatThrownBy(() -> new PooledDataSource(props("acquireTimeout", value))).as(value).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("acquireTimeout is too large, was \"" + value + "\" (forever means no limit)");
        }
    }

    @Test
    void everyKeyListedForATypoIsOneThePropertiesFormTakes() {
        Throwable typo = catchThrowable(() -> new PooledDataSource(props("maxsise", "4")));
        Matcher list = Pattern.compile("known: \\[([^]]*)]").matcher(typo.getMessage());
        assertThat(list.find()).as(typo.getMessage()).isTrue();
        List<String> known = List.of(list.group(1).split(", "));
        assertThat(known).contains("maxSize", "url", "jdbcUrl", "password", "acquireTimeout");
        for (String key : known) {
            Throwable t = catchThrowable(() -> new PooledDataSource(props(key, "?")));
            if (t != null) {
                assertThat(t.getMessage()).as(key).doesNotStartWith("unknown data source property").doesNotContain("cannot be given as text")
                        .doesNotContain("entry by entry");
            }
        }
    }
}
