package io.poolkit.spring.boot;

import io.poolkit.jdbc.PooledDataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.annotation.Bean;

/**
 * Describes every {@link PooledDataSource} of the application to Spring Boot (its
 * {@code jdbc.connections.*} metrics, the actuator), however the data source was made: by
 * {@link PoolkitDataSourceAutoConfiguration} or by an application's own {@code @Bean}.
 */
@AutoConfiguration(before = DataSourcePoolMetricsAutoConfiguration.class)
@ConditionalOnClass({PooledDataSource.class, DataSourcePoolMetadataProvider.class})
public final class PoolkitDataSourcePoolMetadataAutoConfiguration {

    PoolkitDataSourcePoolMetadataAutoConfiguration() {
        // made by Spring
    }

    @Bean
    static DataSourcePoolMetadataProvider poolkitDataSourcePoolMetadataProvider() {
        return dataSource -> {
            PooledDataSource pool = DataSourceUnwrapper.unwrap(dataSource, PooledDataSource.class);
            return pool != null ? new PoolkitDataSourcePoolMetadata(pool) : null;
        };
    }
}
