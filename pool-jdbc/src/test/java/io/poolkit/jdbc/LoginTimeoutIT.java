package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.jdbc.testing.TcpProxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code DataSource.setLoginTimeout} on a running pool (frameworks call it on the data sources they
 * are given): pgjdbc opens the connections made from then on with it.
 */
class LoginTimeoutIT extends PgTestBase {

    @Test
    void aLoginTimeoutSetWhileThePoolRunsIsTheOnePgjdbcOpensNewConnectionsWith() throws Exception {
        TcpProxy proxy = proxy();
        PooledDataSource ds = open(pgVia(proxy).maxSize(2).loginTimeout(Duration.ofSeconds(30)));
        ds.setLoginTimeout(1);
        assertThat(ds.getLoginTimeout()).isEqualTo(1);
        try (Connection held = ds.getConnection()) {
            proxy.stall();
            // a new physical connection must be opened; the server never answers its start-up
            Throwable t = catchThrowable(() -> ds.getConnection(Duration.ofSeconds(5)));
            assertThat(t).isInstanceOf(SQLTransientConnectionException.class);
            // with the start's 30 s, neither pgjdbc nor the pool would have given up within the 5 s wait
            assertThat(t.getCause().getCause()).as("pgjdbc's own login timeout, 1 s").isNotNull()
                    .hasMessageContaining("Connection attempt timed out");
            proxy.heal();
            try (Connection fresh = ds.getConnection(Duration.ofSeconds(10)); Statement st = fresh.createStatement();
                    ResultSet rs = st.executeQuery("select 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(held.isValid(2)).isTrue();
            }
        }
    }
}
