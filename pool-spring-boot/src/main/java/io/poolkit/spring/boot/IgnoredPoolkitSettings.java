package io.poolkit.spring.boot;

import io.poolkit.jdbc.PooledDataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.core.env.Environment;

/**
 * Once the application's singletons exist: when {@code spring.datasource.poolkit.*} is set but no
 * {@code DataSource} of the application is a {@link PooledDataSource} (Boot chose HikariCP, say,
 * because {@code spring.datasource.type} is not set), logs a WARN naming the pool in use and the
 * fix, instead of ignoring the settings without a word. Looks at bean types, so it makes no lazy
 * bean early.
 */
final class IgnoredPoolkitSettings implements SmartInitializingSingleton {
    private static final Logger log = LoggerFactory.getLogger(IgnoredPoolkitSettings.class);

    private final ConfigurableListableBeanFactory beans;
    private final Environment environment;

    IgnoredPoolkitSettings(ConfigurableListableBeanFactory beans, Environment environment) {
        this.beans = beans;
        this.environment = environment;
    }

    @Override
    public void afterSingletonsInstantiated() {
        Set<String> keys = poolkitKeys();
        if (keys.isEmpty()) {
            return;
        }
        List<String> others = new ArrayList<>();
        for (String name : beans.getBeanNamesForType(DataSource.class, false, false)) {
            Class<?> type = beans.getType(name, false);
            if (type != null && PooledDataSource.class.isAssignableFrom(type)) {
                return;
            }
            if (beans.containsSingleton(name) && beans.getSingleton(name) instanceof DataSource ds
                    && DataSourceUnwrapper.unwrap(ds, PooledDataSource.class) != null) {
                return; // a proxy around a poolkit pool
            }
            others.add((type != null ? type.getName() : "a DataSource") + " (bean '" + name + "')");
        }
        log.warn("{} {} set, but the application's DataSource is {}, not poolkit's: these settings are ignored. Set"
                + " spring.datasource.type={} to make poolkit the pool, or remove them", keys, keys.size() == 1 ? "is" : "are",
                others.isEmpty() ? "none" : String.join(", ", others), PoolkitDataSourceAutoConfiguration.TYPE);
    }

    /** @return the {@code spring.datasource.poolkit.*} keys set, in Boot's canonical form, whatever the source's spelling */
    private Set<String> poolkitKeys() {
        Set<String> keys = new TreeSet<>();
        PoolkitSettingKeys.keys(environment).forEach(n -> keys.add(n.toString()));
        return keys;
    }
}
