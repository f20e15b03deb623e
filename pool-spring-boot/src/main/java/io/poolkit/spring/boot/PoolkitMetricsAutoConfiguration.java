package io.poolkit.spring.boot;

import io.micrometer.core.instrument.MeterRegistry;
import io.poolkit.jdbc.PooledDataSource;
import io.poolkit.micrometer.PoolMetrics;
import javax.sql.DataSource;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Binds pool-micrometer's {@code poolkit.*} meters for every {@link PooledDataSource} bean when the
 * application has a {@link MeterRegistry} (the actuator's), with the bean's name as the {@code pool}
 * tag.
 */
@AutoConfiguration(after = {DataSourceAutoConfiguration.class, PoolkitDataSourceAutoConfiguration.class},
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({MeterRegistry.class, PoolMetrics.class, PooledDataSource.class})
@ConditionalOnBean({DataSource.class, MeterRegistry.class})
public final class PoolkitMetricsAutoConfiguration {

    PoolkitMetricsAutoConfiguration() {
        // made by Spring
    }

    @Bean
    PoolkitMeterBinder poolkitMeterBinder(ListableBeanFactory beanFactory) {
        return new PoolkitMeterBinder(beanFactory);
    }
}
