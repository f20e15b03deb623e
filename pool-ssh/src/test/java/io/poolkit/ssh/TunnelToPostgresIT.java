package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.jdbc.PooledDataSource;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A tunnel through the real OpenSSH sshd carrying a real PostgreSQL workload: the data source is told
 * to connect to the tunnel's loopback address only; the tunnel's channels go to PostgreSQL's host and
 * port (from POOLKIT_PG_URL) as the sshd reaches them.
 */
class TunnelToPostgresIT extends OpenSshTestBase {
    @Test
    void aPooledDataSourceRunsAWorkloadThroughATunnel() throws Exception {
        PostgresBehind pg = PostgresBehind.require();
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget bastion = sshd.target();
        AtomicLong rows = new AtomicLong();
        try (Tunnel tunnel = ssh.forward(bastion, pg.host, pg.port)) {
            try (PooledDataSource ds = PooledDataSource.builder().name("pg-via-ssh").url(pg.urlOn(tunnel.localAddress().getPort()))
                    .username(pg.user).password(pg.password).maxSize(6).build()) {
                String table = "poolkit_tunnel_" + Long.toHexString(System.nanoTime());
                ds.update("create table " + table + " (id int primary key, n int not null)");
                try {
                    Threads.run(6, Duration.ofSeconds(60), i -> {
                        for (int round = 0; round < 50; round++) {
                            int k = round;
                            int id = i * 1000 + k;
                            long total = ds.inTransaction(c -> {
                                try (Statement st = c.createStatement()) {
                                    st.executeUpdate("insert into " + table + " values (" + id + ", " + k + ")");
                                    try (ResultSet rs = st.executeQuery("select count(*) from " + table + " where id = " + id)) {
                                        rs.next();
                                        return rs.getLong(1);
                                    }
                                }
                            });
                            assertThat(total).isEqualTo(1);
                            List<Integer> n = ds.query("select n from " + table + " where id = ?", r -> r.getInt(1), id);
                            assertThat(n).containsExactly(k);
                            rows.incrementAndGet();
                        }
                    });
                    // a rolled-back transaction leaves nothing behind, through the tunnel as anywhere
                    try (Connection c = ds.getConnection()) {
                        c.setAutoCommit(false);
                        try (Statement st = c.createStatement()) {
                            st.executeUpdate("insert into " + table + " values (-1, -1)");
                        }
                        c.rollback();
                    }
                    assertThat(ds.query("select count(*) from " + table, r -> r.getLong(1))).containsExactly(300L);
                } finally {
                    ds.update("drop table " + table);
                }
                assertThat(tunnel.accepted()).as("every database connection came through the tunnel")
                        .isEqualTo(ds.stats().created());
                assertThat(ds.stats().created()).isBetween(1L, 6L);
                SshStats st = ssh.stats(bastion);
                assertThat(st.connectionsInUse()).as("the tunnel's channels hold the SSH lease: %s", st).isPositive();
                assertThat(st.channelsOpen()).as("but take no session permit: %s", st).isZero();
            }
            Await.until(() -> tunnel.connections() == 0, () -> "the data source's connections closed: " + tunnel);
        }
        assertThat(rows.get()).isEqualTo(300);
        Await.until(() -> ssh.stats(bastion).connectionsInUse() == 0, () -> "the SSH lease came back: " + ssh.stats(bastion));
        assertThat(ssh.stats(bastion).connections().created()).isEqualTo(1);
    }
}
