/**
 * A Hibernate ORM {@code ConnectionProvider} on poolkit's {@code PooledDataSource}, for
 * applications that let Hibernate own the pool: {@link io.poolkit.hibernate.PoolkitConnectionProvider}.
 */
package io.poolkit.hibernate;
