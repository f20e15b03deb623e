package io.poolkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Pool;
import io.poolkit.ssh.OpenSshServers;
import io.poolkit.ssh.SshPool;
import io.poolkit.ssh.SshTarget;
import io.poolkit.testkit.Services;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
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

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    @Test
    void aDataSourceReachesTheRealPostgresOnlyThroughATunnelThroughTheRealSshd() throws Exception {
        OpenSshServers.require();
        URI pg = URI.create(env("POOLKIT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/poolkit").substring("jdbc:".length()));
        int pgPort = pg.getPort() < 0 ? 5432 : pg.getPort();
        boolean up;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(pg.getHost(), pgPort), 2_000);
            up = true;
        } catch (java.io.IOException e) {
            up = false;
        }
        Services.require(up, "PostgreSQL not reachable at " + pg.getHost() + ":" + pgPort + " (run .ci/services/postgres.sh)");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (OpenSshServers.Handle sshd = OpenSshServers.start(work);
             SshPool ssh = SshPool.builder().name("example-it").knownHosts(sshd.trustIn(work.resolve("known_hosts")))
                     .heartbeatInterval(Pool.FOREVER).build()) {
            SshTarget bastion = sshd.target();
            List<String> cities = SshTunnelExample.throughTunnel(ssh, bastion, pg.getHost(), pgPort,
                    localPort -> "jdbc:postgresql://127.0.0.1:" + localPort + pg.getPath(), env("POOLKIT_PG_USER", "poolkit"),
                    env("POOLKIT_PG_PASSWORD", "poolkit-test-only"), out);
            assertThat(cities).containsExactly("Lisbon", "Porto");
            assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("all accepted by the tunnel: true",
                    "0 session channels (a tunnel takes none)");
            assertThat(ssh.stats(bastion).connections().created()).isEqualTo(1);
        }
    }
}
