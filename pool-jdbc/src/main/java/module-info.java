/**
 * poolkit JDBC: {@code PooledDataSource}, a {@code javax.sql.DataSource} on the poolkit core.
 */
module io.poolkit.jdbc {
    requires transitive java.sql;
    requires transitive io.poolkit;
    requires org.slf4j;

    exports io.poolkit.jdbc;
}
