package io.poolkit.spring.boot;

import io.poolkit.jdbc.PooledDataSource;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

/**
 * Makes a {@link PooledDataSource} the application's {@code DataSource} when
 * {@code spring.datasource.type=io.poolkit.jdbc.PooledDataSource}, or when no type is set and none of
 * the pools Spring Boot configures by itself (HikariCP, Tomcat JDBC, Commons DBCP2, Oracle UCP) is on
 * the class path, as Spring Boot chooses between those: the connection from {@code spring.datasource.url}, {@code username} and {@code password} (or a
 * {@link JdbcConnectionDetails} bean: Testcontainers, Docker Compose), every pool option from
 * {@code spring.datasource.poolkit.*} with relaxed binding ({@code max-size}, {@code acquire-timeout=5s}),
 * the pool's name from {@code spring.datasource.name} unless {@code spring.datasource.poolkit.name}
 * gives one; a {@code spring.datasource.poolkit.*} key that names no option fails the start;
 * {@code spring.datasource.hikari.*} left behind is reported at WARN with poolkit's name for each;
 * Hibernate's {@code provider_disables_autocommit=true} (under {@code spring.jpa.properties}) turns
 * auto-commit off. The pool starts on the first connection (Flyway's, say) and closes with the context.
 *
 * <p>Runs before Spring Boot's own {@code DataSourceAutoConfiguration}, and stands back when the
 * application defines its own {@code DataSource}.
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@ConditionalOnClass(PooledDataSource.class)
@Conditional(PoolkitDataSourceAutoConfiguration.PoolkitChosen.class)
@ConditionalOnMissingBean(DataSource.class)
@EnableConfigurationProperties(DataSourceProperties.class)
public final class PoolkitDataSourceAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(PoolkitDataSourceAutoConfiguration.class);
    private static final String PROVIDER_DISABLES_AUTOCOMMIT = "spring.jpa.properties.hibernate.connection.provider_disables_autocommit";
    /** The value of {@code spring.datasource.type} that names poolkit. */
    static final String TYPE = "io.poolkit.jdbc.PooledDataSource";

    PoolkitDataSourceAutoConfiguration() {
        // made by Spring
    }

    /**
     * Poolkit is the pool when the application names it, or names no pool while none of those Boot
     * prefers is there: Boot's own pool configurations match on their class being present and the
     * type missing, so with HikariCP on the class path Boot's choice stands (and
     * {@code IgnoredPoolkitSettings} says so when {@code spring.datasource.poolkit.*} is set).
     */
    static final class PoolkitChosen extends AnyNestedCondition {
        PoolkitChosen() {
            super(ConfigurationPhase.PARSE_CONFIGURATION);
        }

        @ConditionalOnProperty(name = "spring.datasource.type", havingValue = TYPE)
        static final class Named {
        }

        @ConditionalOnProperty(name = "spring.datasource.type", havingValue = TYPE, matchIfMissing = true)
        @ConditionalOnMissingClass({"com.zaxxer.hikari.HikariDataSource", "org.apache.tomcat.jdbc.pool.DataSource",
                "org.apache.commons.dbcp2.BasicDataSource", "oracle.ucp.jdbc.PoolDataSourceImpl"})
        static final class NoOtherPool {
        }
    }

    /**
     * The data source; its {@code spring.datasource.poolkit.*} options are bound after this returns,
     * before its start. A key there that names no option (a typo: {@code max-sise}) fails the start,
     * naming the key but never its value ({@link PoolkitSettingKeys}).
     */
    @Bean
    @ConfigurationProperties("spring.datasource.poolkit")
    PooledDataSource dataSource(DataSourceProperties properties, ObjectProvider<JdbcConnectionDetails> connectionDetails,
            Environment environment) {
        PoolkitSettingKeys.requireKnown(environment);
        String hikari = PoolkitSettingKeys.hikariLeftBehind(environment);
        if (hikari != null) {
            log.warn(hikari);
        }
        JdbcConnectionDetails details = connectionDetails.getIfAvailable();
        String url = details != null ? details.getJdbcUrl() : properties.determineUrl();
        String username = details != null ? details.getUsername() : properties.determineUsername();
        String password = details != null ? details.getPassword() : properties.determinePassword();
        String driver = details != null ? details.getDriverClassName() : properties.determineDriverClassName();
        // Boot's own builder, as for every pool it configures: the same conventions (url, username,
        // password, driverClassName) that DataSourceBuilder.derivedFrom reads back
        PooledDataSource ds = DataSourceBuilder.create(properties.getClassLoader()).type(PooledDataSource.class)
                .url(url).username(username).password(password).driverClassName(driver).build();
        String name = properties.getName();
        if (name != null && !name.isBlank()) {
            ds.setName(name);
        }
        if (hibernateDisablesAutoCommit(environment)) {
            ds.setAutoCommit(false); // spring.datasource.poolkit.auto-commit, bound after this, can only be false here
        }
        return ds;
    }

    /**
     * {@code spring.jpa.properties.hibernate.connection.provider_disables_autocommit=true} promises
     * Hibernate connections with auto-commit off, and Hibernate then never turns it off itself: with
     * the pool's default (on) every statement would commit at once and a rollback undo nothing. The
     * promise turns the pool's auto-commit off; {@code spring.datasource.poolkit.auto-commit=true}
     * beside it fails the start, naming both.
     */
    private static boolean hibernateDisablesAutoCommit(Environment environment) {
        String promise = environment.getProperty(PROVIDER_DISABLES_AUTOCOMMIT);
        if (promise == null || !promise.trim().equalsIgnoreCase("true")) {
            return false;
        }
        if (Binder.get(environment).bind("spring.datasource.poolkit.auto-commit", Boolean.class).orElse(false)) {
            throw new IllegalArgumentException(PROVIDER_DISABLES_AUTOCOMMIT + "=true promises Hibernate connections with auto-commit off,"
                    + " but spring.datasource.poolkit.auto-commit=true turns it on (Hibernate would then never turn it off, and a"
                    + " rollback would undo nothing): remove one of them");
        }
        return true;
    }
}
