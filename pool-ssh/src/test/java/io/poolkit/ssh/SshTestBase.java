package io.poolkit.ssh;

import io.poolkit.Pool;
import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.PoolChecks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedded servers and pools for one test, closed after it; after every test the counts rule holds
 * for every target each pool served, and every pool's connections were all closed.
 */
@Timeout(60)
abstract class SshTestBase {
    @TempDir
    Path dir;

    private final List<EmbeddedSshServer> servers = new CopyOnWriteArrayList<>();
    private final List<SshPool> pools = new CopyOnWriteArrayList<>();
    private final List<SshTarget> targets = new CopyOnWriteArrayList<>();

    EmbeddedSshServer server() throws Exception {
        return server(10);
    }

    EmbeddedSshServer server(int maxChannels) throws Exception {
        return server(EmbeddedSshServer.builder().maxChannels(maxChannels));
    }

    /** Starts {@code server} with password login on, closed after the test. */
    EmbeddedSshServer server(EmbeddedSshServer.Builder server) throws Exception {
        EmbeddedSshServer s = server.passwordLogin().start();
        servers.add(s);
        return s;
    }

    /**
     * A builder that trusts the given servers' host keys, with short bounds for tests. Connect, login and
     * acquire bounds are hang guards, not speed assertions: a cold key exchange and login took over 5 s on a
     * loaded 2-core machine (a test that is about one of them sets its own).
     */
    SshPoolBuilder builder(EmbeddedSshServer... trusted) throws Exception {
        Path knownHosts = dir.resolve("known_hosts");
        if (!Files.exists(knownHosts)) {
            Files.createFile(knownHosts);
        }
        for (EmbeddedSshServer s : trusted) {
            EmbeddedSshServer.append(knownHosts, s.knownHostsLine());
        }
        return SshPool.builder().name("test-ssh").knownHosts(knownHosts).acquireTimeout(Duration.ofSeconds(20))
                .commandTimeout(Duration.ofSeconds(20)).heartbeatInterval(Pool.FOREVER).connectTimeout(Duration.ofSeconds(15))
                .authTimeout(Duration.ofSeconds(15)).killGrace(Duration.ofSeconds(1)).shutdownTimeout(Duration.ofSeconds(10));
    }

    SshPool pool(SshPoolBuilder builder) {
        SshPool p = builder.build();
        pools.add(p);
        return p;
    }

    /** Remembers a target so the after-test check covers it even once its sub-pool is gone. */
    SshTarget track(SshTarget t) {
        targets.add(t);
        return t;
    }

    @AfterEach
    void countsRuleHoldsThenEverythingCloses() throws Exception {
        try {
            for (SshPool p : pools) {
                Set<SshTarget> all = new LinkedHashSet<>(p.targets());
                all.addAll(targets);
                for (SshTarget t : all) {
                    PoolChecks.assertCountsRule(() -> p.stats(t).connections());
                }
            }
        } finally {
            List<Throwable> failures = new ArrayList<>();
            for (SshPool p : pools) {
                try {
                    p.shutdown(Duration.ofSeconds(10));
                    org.assertj.core.api.Assertions.assertThat(p.stats().size()).as("connections left after shutdown: %s", p.stats())
                            .isZero();
                } catch (Throwable t) {
                    failures.add(t);
                }
            }
            for (EmbeddedSshServer s : servers) {
                s.close();
            }
            if (!failures.isEmpty()) {
                throw new AssertionError("closing pools failed", failures.get(0));
            }
        }
    }
}
