package io.poolkit.hibernate.internal;

import io.poolkit.hibernate.PoolkitConnectionProvider;
import io.poolkit.jdbc.PooledDataSource;
import java.sql.Connection;
import org.hibernate.dialect.DatabaseVersion;
import org.hibernate.dialect.Dialect;
import org.hibernate.engine.jdbc.connections.spi.DatabaseConnectionInfo;
import org.hibernate.engine.jdbc.env.spi.ExtractedDatabaseMetaData;

/**
 * What Hibernate's start-up banner shows of a poolkit pool: the URL with its secrets masked, the
 * driver, the pool's name and sizes, and the auto-commit and isolation connections are handed out
 * with, as configured or, where the pool leaves them to the driver, as Hibernate read them from the
 * database. Immutable.
 */
public final class PoolkitConnectionInfo implements DatabaseConnectionInfo {
    private final String url;
    private final String driver;
    private final String dialect;
    private final DatabaseVersion version;
    private final String catalog;
    private final String schema;
    private final String autoCommit;
    private final String isolation;
    private final Integer fetchSize;
    private final String poolName;
    private final int minIdle;
    private final int maxSize;

    private PoolkitConnectionInfo(PooledDataSource ds, Dialect dialect, ExtractedDatabaseMetaData metaData) {
        String masked = ds.maskedUrl();
        this.url = masked != null ? masked : ds.getDataSourceClassName() != null ? ds.getDataSourceClassName()
                : ds.getDataSource() != null ? ds.getDataSource().getClass().getName() : null;
        this.driver = ds.getDriverClassName() != null ? ds.getDriverClassName() : metaData != null ? metaData.getDriver() : null;
        this.dialect = dialect.getClass().getName();
        this.version = dialect.getVersion();
        this.catalog = ds.getCatalog() != null ? ds.getCatalog() : metaData != null ? metaData.getConnectionCatalogName() : null;
        this.schema = ds.getSchema() != null ? ds.getSchema() : metaData != null ? metaData.getConnectionSchemaName() : null;
        this.autoCommit = Boolean.toString(ds.isAutoCommit());
        String configured = ds.getTransactionIsolation();
        this.isolation = configured != null ? configured : metaData != null ? isolationName(metaData.getTransactionIsolation()) : null;
        this.fetchSize = metaData != null && metaData.getDefaultFetchSize() > 0 ? metaData.getDefaultFetchSize() : null;
        this.poolName = ds.getName();
        this.minIdle = ds.getMinIdle();
        this.maxSize = ds.getMaxSize();
    }

    /**
     * @param ds the provider's data source
     * @param dialect Hibernate's dialect
     * @param metaData what Hibernate read from the database, or null
     * @return the banner's content
     */
    public static PoolkitConnectionInfo of(PooledDataSource ds, Dialect dialect, ExtractedDatabaseMetaData metaData) {
        return new PoolkitConnectionInfo(ds, dialect, metaData);
    }

    private static String isolationName(int level) {
        switch (level) {
            case Connection.TRANSACTION_NONE: return "TRANSACTION_NONE";
            case Connection.TRANSACTION_READ_UNCOMMITTED: return "TRANSACTION_READ_UNCOMMITTED";
            case Connection.TRANSACTION_READ_COMMITTED: return "TRANSACTION_READ_COMMITTED";
            case Connection.TRANSACTION_REPEATABLE_READ: return "TRANSACTION_REPEATABLE_READ";
            case Connection.TRANSACTION_SERIALIZABLE: return "TRANSACTION_SERIALIZABLE";
            default: return null;
        }
    }

    /** @return the pool's name, which the banner shows beside the provider */
    public String getPoolName() {
        return poolName;
    }

    @Override
    public String getJdbcUrl() {
        return url;
    }

    @Override
    public String getJdbcDriver() {
        return driver;
    }

    @Override
    public DatabaseVersion getDialectVersion() {
        return version;
    }

    @Override
    public String getSchema() {
        return schema;
    }

    @Override
    public String getCatalog() {
        return catalog;
    }

    @Override
    public String getAutoCommitMode() {
        return autoCommit;
    }

    @Override
    public String getIsolationLevel() {
        return isolation;
    }

    @Override
    public Integer getPoolMinSize() {
        return minIdle;
    }

    @Override
    public Integer getPoolMaxSize() {
        return maxSize;
    }

    @Override
    public Integer getJdbcFetchSize() {
        return fetchSize;
    }

    @Override
    public boolean hasSchema() {
        return schema != null;
    }

    @Override
    public boolean hasCatalog() {
        return catalog != null;
    }

    @Override
    public String toInfoString() {
        return "\tDatabase JDBC URL [" + shown(url) + "]"
                + "\n\tDatabase driver: " + shown(driver)
                + "\n\tDatabase dialect: " + dialect
                + "\n\tDatabase version: " + shown(version)
                + "\n\tDefault catalog/schema: " + shown(catalog) + "/" + shown(schema)
                + "\n\tAutocommit mode: " + autoCommit
                + "\n\tIsolation level: " + shown(isolation)
                + "\n\tJDBC fetch size: " + shown(fetchSize)
                + "\n\tPool: " + PoolkitConnectionProvider.class.getName() + ", pool '" + poolName + "'"
                + "\n\tMinimum idle connections: " + minIdle
                + "\n\tMaximum pool size: " + maxSize;
    }

    private static String shown(Object value) {
        return value == null ? "undefined/unknown" : value.toString();
    }

    @Override
    public String toString() {
        return "PoolkitConnectionInfo[" + poolName + ", " + url + "]";
    }
}
