/**
 * poolkit for Hibernate ORM: {@code hibernate.connection.provider_class=poolkit} lets Hibernate own
 * a {@code PooledDataSource}.
 */
module io.poolkit.hibernate {
    requires transitive io.poolkit.jdbc;
    requires transitive org.hibernate.orm.core;

    exports io.poolkit.hibernate;

    provides org.hibernate.boot.registry.selector.StrategyRegistrationProvider
            with io.poolkit.hibernate.internal.PoolkitStrategyRegistrationProvider;
}
