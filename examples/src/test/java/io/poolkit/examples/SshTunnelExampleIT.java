package io.poolkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Pool;
import io.poolkit.ssh.OpenSshServers;
import io.poolkit.ssh.PostgresBehind;
import io.poolkit.ssh.SshPool;
import io.poolkit.ssh.SshTarget;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tunnel example against the real services of CI: a {@code PooledDataSource} reaches the real
 * PostgreSQL only through a tunnel through the real OpenSSH sshd (POOLKIT_PG_URL's host and port are
 * the tunnel's destination; the data source is given the tunnel's loopback port).
 */
@Timeout(90)
class SshTunnelExampleIT {
    @TempDir
    Path work;

    @Test
    void aDataSourceReachesTheRealPostgresOnlyThroughATunnelThroughTheRealSshd() throws Exception {
        OpenSshServers.require();
        PostgresBehind pg = PostgresBehind.require();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (OpenSshServers.Handle sshd = OpenSshServers.start(work);
             SshPool ssh = SshPool.builder().name("example-it").knownHosts(sshd.trustIn(work.resolve("known_hosts")))
                     .heartbeatInterval(Pool.FOREVER).build()) {
            // @start region="real-bastion"
            SshTarget bastion = sshd.target(); // @replace regex='sshd.target\(\)' replacement='SshTarget.of("bastion.example.com", 22, "ops").withKey(Path.of("id_ed25519"))'
            List<String> cities = SshTunnelExample.throughTunnel(ssh, bastion, pg.host, pg.port, pg::urlOn, pg.user, pg.password, out); // @replace regex='pg.host, pg.port, pg::urlOn, pg.user, pg.password, out' replacement='"db.internal", 5432, port -> "jdbc:postgresql://127.0.0.1:" + port + "/app", "app", password, System.out'
            // @end
            assertThat(cities).containsExactly("Lisbon", "Porto");
            assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("all accepted by the tunnel: true",
                    "0 session channels (a tunnel takes none)");
            assertThat(ssh.stats(bastion).connections().created()).isEqualTo(1);
        }
    }
}
