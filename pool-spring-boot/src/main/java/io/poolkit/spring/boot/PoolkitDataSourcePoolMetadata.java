package io.poolkit.spring.boot;

import io.poolkit.jdbc.PooledDataSource;
import org.springframework.boot.jdbc.metadata.AbstractDataSourcePoolMetadata;

/**
 * What Spring Boot's {@code jdbc.connections.*} metrics and the actuator read of a
 * {@link PooledDataSource}: borrowed ({@code active}) and idle connections from its stats, the
 * configured {@code maxSize} and {@code minIdle}. No validation query: connections are checked with
 * {@code Connection.isValid}. Zero counts before the pool has started. Thread-safe.
 */
public final class PoolkitDataSourcePoolMetadata extends AbstractDataSourcePoolMetadata<PooledDataSource> {

    /** @param dataSource the data source to describe */
    public PoolkitDataSourcePoolMetadata(PooledDataSource dataSource) {
        super(dataSource);
    }

    @Override
    public Integer getActive() {
        return getDataSource().stats().leased();
    }

    @Override
    public Integer getIdle() {
        return getDataSource().stats().idle();
    }

    @Override
    public Integer getMax() {
        return getDataSource().getMaxSize();
    }

    @Override
    public Integer getMin() {
        return getDataSource().getMinIdle();
    }

    @Override
    public String getValidationQuery() {
        return null;
    }

    @Override
    public Boolean getDefaultAutoCommit() {
        return getDataSource().isAutoCommit();
    }
}
