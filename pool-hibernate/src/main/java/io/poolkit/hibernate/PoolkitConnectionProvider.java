package io.poolkit.hibernate;

import io.poolkit.hibernate.internal.HibernateSettings;
import io.poolkit.hibernate.internal.PoolkitConnectionInfo;
import io.poolkit.jdbc.PooledDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.hibernate.dialect.Dialect;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProviderConfigurationException;
import org.hibernate.engine.jdbc.connections.spi.DatabaseConnectionInfo;
import org.hibernate.engine.jdbc.env.spi.ExtractedDatabaseMetaData;
import org.hibernate.service.UnknownUnwrapTypeException;
import org.hibernate.service.spi.Configurable;
import org.hibernate.service.spi.Stoppable;

/**
 * A Hibernate ORM {@link ConnectionProvider} whose connections come from a {@link PooledDataSource}
 * that Hibernate owns: configured from Hibernate's properties alone, started when Hibernate
 * configures it, closed when the {@code SessionFactory} closes.
 *
 * {@snippet lang=properties file=io/poolkit/hibernate/provider.properties region=provider}
 *
 * <p>The connection comes from {@code hibernate.connection.url}, {@code .username} (or {@code .user}),
 * {@code .password}, {@code .driver_class}, {@code .isolation} and {@code .autocommit} (or their
 * {@code jakarta.persistence.jdbc.*} spellings); {@code hibernate.connection.pool_size} is the
 * {@code maxSize} unless {@code hibernate.poolkit.maxSize} gives one, {@code .min_pool_size} the
 * {@code minIdle} and {@code .init_sql} the {@code connectionInitSql}; any other
 * {@code hibernate.connection.<name>} is the driver property {@code <name>}, as Hibernate defines
 * that prefix; {@code .provider_disables_autocommit=true} turns the pool's auto-commit off (and
 * fails beside a setting that turns it on). {@code hibernate.poolkit.*}
 * takes the names of {@link PooledDataSource#PooledDataSource(Properties)}, and wins over the
 * others. The pool is named {@code hibernate} unless {@code hibernate.poolkit.name} says otherwise.
 * A bad option fails {@code configure} with the key as it was set, the rule and the value (never a
 * password). Hibernate's start-up banner shows the URL with its secrets masked, the pool's name and
 * sizes, auto-commit and isolation.
 *
 * <p>Thread-safe once configured, as Hibernate uses it.
 */
public final class PoolkitConnectionProvider implements ConnectionProvider, Configurable, Stoppable {
    private static final long serialVersionUID = 1L;
    /** The prefix of the pool options: {@code hibernate.poolkit.maxSize=10}. */
    public static final String PREFIX = "hibernate.poolkit.";

    private transient volatile PooledDataSource dataSource;

    /** Made by Hibernate. */
    public PoolkitConnectionProvider() {
    }

    @Override
    public void configure(Map<String, Object> settings) {
        Properties poolkit = new Properties();
        settings.forEach((key, value) -> {
            if (key.startsWith(PREFIX) && key.length() > PREFIX.length() && value != null) {
                poolkit.setProperty(key.substring(PREFIX.length()), String.valueOf(value));
            }
        });
        PooledDataSource ds = null;
        try {
            ds = new PooledDataSource(poolkit);
            HibernateSettings.apply(settings, poolkit.stringPropertyNames(), ds);
            ds.start();
        } catch (RuntimeException e) {
            if (ds != null) {
                ds.close();
            }
            throw new ConnectionProviderConfigurationException("Could not configure poolkit: " + e.getMessage(), e);
        }
        dataSource = ds;
    }

    private PooledDataSource dataSource() {
        PooledDataSource ds = dataSource;
        if (ds == null) {
            throw new IllegalStateException("PoolkitConnectionProvider is not configured: Hibernate calls configure(settings) first");
        }
        return ds;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return dataSource().getConnection();
    }

    @Override
    public void closeConnection(Connection connection) throws SQLException {
        connection.close();
    }

    /** @return false: Hibernate keeps a connection for the whole transaction (the pool resets it on return) */
    @Override
    public boolean supportsAggressiveRelease() {
        return false;
    }

    @Override
    public boolean isUnwrappableAs(Class<?> type) {
        return type.isAssignableFrom(PoolkitConnectionProvider.class) || type.isAssignableFrom(PooledDataSource.class);
    }

    /**
     * @param type this class, {@link PooledDataSource} or {@link DataSource}: the pool, to read its
     *     stats or bind its metrics
     */
    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isAssignableFrom(PoolkitConnectionProvider.class)) {
            return type.cast(this);
        }
        if (type.isAssignableFrom(PooledDataSource.class)) {
            return type.cast(dataSource());
        }
        throw new UnknownUnwrapTypeException(type);
    }

    /**
     * What Hibernate's start-up banner shows: the URL with its secrets masked, the pool's name, its
     * sizes, auto-commit and isolation as configured (the driver's defaults where none is).
     */
    @Override
    public DatabaseConnectionInfo getDatabaseConnectionInfo(Dialect dialect) {
        return PoolkitConnectionInfo.of(dataSource(), dialect, null);
    }

    @Override
    public DatabaseConnectionInfo getDatabaseConnectionInfo(Dialect dialect, ExtractedDatabaseMetaData metaData) {
        return PoolkitConnectionInfo.of(dataSource(), dialect, metaData);
    }

    /** Closes the pool: called by Hibernate when the {@code SessionFactory} closes. */
    @Override
    public void stop() {
        PooledDataSource ds = dataSource;
        if (ds != null) {
            ds.close();
        }
    }

    @Override
    public String toString() {
        PooledDataSource ds = dataSource;
        return "PoolkitConnectionProvider[" + (ds == null ? "not configured" : ds) + "]";
    }
}
