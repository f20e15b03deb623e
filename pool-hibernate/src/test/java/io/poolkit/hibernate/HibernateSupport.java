package io.poolkit.hibernate;

import io.poolkit.jdbc.PooledDataSource;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/** Builds a SessionFactory from properties alone, as an application's hibernate.properties would. */
final class HibernateSupport {
    private HibernateSupport() {
    }

    static SessionFactory sessionFactory(Map<String, String> properties) {
        Configuration cfg = new Configuration().addAnnotatedClass(Greeting.class);
        properties.forEach(cfg::setProperty);
        return cfg.buildSessionFactory();
    }

    static PooledDataSource pool(SessionFactory sf) {
        return sf.unwrap(SessionFactoryImplementor.class).getServiceRegistry().requireService(ConnectionProvider.class)
                .unwrap(PooledDataSource.class);
    }
}
