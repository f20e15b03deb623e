package io.poolkit.spring.boot;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.poolkit.jdbc.PooledDataSource;
import io.poolkit.micrometer.PoolMetrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.jdbc.DataSourceUnwrapper;

/**
 * pool-micrometer's meters for each {@link PooledDataSource} bean, tagged {@code pool=<bean name>}:
 * gauges and counters from its stats, the wait and hold timers from its listener. Spring Boot binds
 * it to each registry; the data sources are looked up then, not when this binder is made. The
 * listeners are removed when the context closes. Thread-safe.
 */
public final class PoolkitMeterBinder implements MeterBinder, DisposableBean {
    private final ListableBeanFactory beanFactory;
    private final List<PoolMetrics> bound = new CopyOnWriteArrayList<>();

    /** @param beanFactory where the data sources are */
    public PoolkitMeterBinder(ListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        beanFactory.getBeansOfType(DataSource.class, false, true).forEach((beanName, dataSource) -> {
            PooledDataSource pool = DataSourceUnwrapper.unwrap(dataSource, PooledDataSource.class);
            if (pool != null) {
                PoolMetrics metrics = PoolMetrics.of(beanName, pool::stats).timersFrom(pool::addListener);
                metrics.bindTo(registry);
                bound.add(metrics);
            }
        });
    }

    @Override
    public void destroy() {
        for (PoolMetrics m : bound) {
            m.close();
        }
        bound.clear();
    }
}
