/**
 * poolkit for Spring Boot: {@code spring.datasource.type=io.poolkit.jdbc.PooledDataSource} makes a
 * {@code PooledDataSource} Spring Boot's pool, with {@code spring.datasource.poolkit.*} bound to its
 * options, pool metadata for Boot's {@code jdbc.connections.*} metrics and poolkit's own meters.
 */
module io.poolkit.spring.boot {
    requires transitive io.poolkit.jdbc;
    requires transitive io.poolkit.micrometer;
    requires transitive micrometer.core;
    requires transitive spring.beans;
    requires transitive spring.boot;
    requires transitive spring.boot.autoconfigure;
    requires transitive spring.boot.jdbc;
    requires transitive spring.context;
    requires spring.core;
    requires org.slf4j;

    exports io.poolkit.spring.boot;
    // Spring reads the auto-configurations' annotations and calls their @Bean methods reflectively
    opens io.poolkit.spring.boot to spring.core, spring.beans, spring.context;
}
