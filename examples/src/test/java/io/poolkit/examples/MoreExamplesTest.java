package io.poolkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.poolkit.PoolStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MoreExamplesTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void migratedCommonsFactoryIsResetBetweenUsesAndDestroyedAtClose() throws Exception {
        PoolStats stats = CommonsPoolMigrationExample.run(out);
        assertThat(stats.acquired()).isEqualTo(4);
        assertThat(stats.created()).isEqualTo(1);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("parsed gamma -> 5 chars").contains("made=1, passivated=4, destroyed=1");
    }

    @Test
    void jdbcExampleCommitsATransactionAndQueriesThroughThePool() throws Exception {
        assertThat(JdbcExample.run(out)).containsExactly("Lisbon", "Porto");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("inserted 3 cities in one transaction");
    }

    /** The examples' scratch directories in the temporary directory: an example removes its own when it ends. */
    private static List<Path> scratchDirs() throws IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("poolkit-")).sorted().toList();
        }
    }

    @Test
    void sshExampleRunsACommandOverAVerifiedHostKey() throws Exception {
        List<Path> before = scratchDirs();
        PrintStream saved = System.out;
        System.setOut(out);
        try {
            SshExample.main(new String[0]);
        } finally {
            System.setOut(saved);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("exit 0: hello from a pooled connection");
        assertThat(scratchDirs()).isEqualTo(before);
    }

    @Test
    void tunnelExampleReachesTheDatabaseOnlyThroughTheTunnelAndCopiesAFile() throws Exception {
        List<Path> before = scratchDirs();
        assertThat(SshTunnelExample.run(out)).containsExactly("Lisbon", "Porto");
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("0 session channels (a tunnel takes none)", "all accepted by the tunnel: true")
                .contains("downloaded 39 bytes: poolkit: files, tunnels and jump hosts").contains("through withSession: SSH-2.0-");
        assertThat(scratchDirs()).isEqualTo(before);
    }

    @Test
    void sessionExampleCallsAHostToolFromTheSnippet() {
        assertThat(SessionExample.run(out, SessionExample.sandboxAvailable())).isEqualTo("\"ADA LOVELACE\"");
    }

    @Test
    void pythonSessionExampleCallsAHostToolAsAFunction() {
        io.poolkit.testkit.Services.require(SessionExample.pythonAvailable(), "the Python example needs /usr/bin/python3"
                + " (source .ci/services/interpreters.sh as root)");
        assertThat(SessionExample.runPython(out, SessionExample.sandboxAvailable())).isEqualTo("{'Ada': 12, 'Alan': 11}");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("printed \"looked up 2 users\"");
    }

    @Test
    void metricsExampleReadsTheMetersItBound() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MetricsExample.run(out, registry);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("poolkit.acquires = 100").contains("poolkit.lease: 100 leases");
        assertThat(registry.getMeters()).as("the example closes its metrics with the pool").isEmpty();
    }
}
