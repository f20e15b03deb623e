package io.poolkit.spring.boot;

import io.poolkit.jdbc.PooledDataSource;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * How Spring Boot reads a {@link PooledDataSource}'s options, whoever made the data source: its
 * durations take {@code forever} ({@link PoolkitDurationConverter}), and
 * {@code spring.datasource.poolkit.*} set while another pool is the application's is reported at
 * WARN ({@link IgnoredPoolkitSettings}).
 */
@AutoConfiguration
@ConditionalOnClass(PooledDataSource.class)
public final class PoolkitPropertiesAutoConfiguration {

    PoolkitPropertiesAutoConfiguration() {
        // made by Spring
    }

    @Bean
    @ConfigurationPropertiesBinding
    static PoolkitDurationConverter poolkitDurationConverter() {
        return new PoolkitDurationConverter();
    }

    @Bean
    static IgnoredPoolkitSettings poolkitIgnoredSettingsCheck(ConfigurableListableBeanFactory beans, Environment environment) {
        return new IgnoredPoolkitSettings(beans, environment);
    }
}
