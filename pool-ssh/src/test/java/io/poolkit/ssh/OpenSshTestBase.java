package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Pool;
import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.PoolChecks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real OpenSSH sshd instances and pools for one IT, stopped after it; after every test the counts
 * rule holds for every target each pool served, and every pool's connections were closed. Skipped with
 * the reason without OpenSSH; a failure with {@code CI=true}.
 */
@Timeout(90)
abstract class OpenSshTestBase {
    @TempDir
    Path work;

    final List<OpenSsh> servers = new ArrayList<>();
    final List<SshPool> pools = new ArrayList<>();
    final List<SshTarget> targets = new ArrayList<>();
    Path knownHosts;

    @BeforeEach
    void openSshIsThere() throws Exception {
        OpenSsh.require();
        knownHosts = work.resolve("known_hosts");
        Files.createFile(knownHosts);
    }

    OpenSsh sshd(int maxSessions) throws Exception {
        return sshd("host_ed25519_key", maxSessions, "");
    }

    OpenSsh sshd(String hostKey, int maxSessions, String extra) throws Exception {
        OpenSsh s = OpenSsh.start(work, hostKey, maxSessions, extra);
        servers.add(s);
        return s;
    }

    SshPool pool(SshPoolBuilder b) {
        SshPool p = b.build();
        pools.add(p);
        return p;
    }

    SshPoolBuilder builder(OpenSsh... trusted) throws Exception {
        for (OpenSsh s : trusted) {
            EmbeddedSshServer.append(knownHosts, s.knownHostsLine("host_ed25519_key"));
        }
        return SshPool.builder().name("it-ssh").knownHosts(knownHosts).acquireTimeout(Duration.ofSeconds(15))
                .commandTimeout(Duration.ofSeconds(20)).heartbeatInterval(Pool.FOREVER).killGrace(Duration.ofSeconds(1))
                .shutdownTimeout(Duration.ofSeconds(10));
    }

    SshTarget track(SshTarget t) {
        targets.add(t);
        return t;
    }

    @AfterEach
    void countsRuleHoldsThenEverythingStops() throws Exception {
        try {
            for (SshPool p : pools) {
                Set<SshTarget> all = new HashSet<>(p.targets());
                all.addAll(targets);
                for (SshTarget t : all) {
                    PoolChecks.assertCountsRule(() -> p.stats(t).connections());
                }
            }
        } finally {
            for (SshPool p : pools) {
                p.shutdown(Duration.ofSeconds(10));
                assertThat(p.stats().size()).as("connections left: %s", p.stats()).isZero();
            }
            for (OpenSsh s : servers) {
                s.close();
            }
        }
    }

}
