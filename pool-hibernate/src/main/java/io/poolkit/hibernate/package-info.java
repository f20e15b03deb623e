/**
 * A Hibernate ORM {@code ConnectionProvider} on poolkit's {@code PooledDataSource}, for
 * applications that let Hibernate own the pool.
 *
 * <p>Start with {@code hibernate.connection.provider_class=poolkit} in Hibernate's properties: the
 * short name of {@link io.poolkit.hibernate.PoolkitConnectionProvider}, which builds the pool from
 * {@code hibernate.connection.*} and {@code hibernate.poolkit.*} when Hibernate configures it and
 * closes it with the {@code SessionFactory}. Its javadoc lists the properties.
 */
package io.poolkit.hibernate;
