package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Commands on an embedded server: exit codes, output, input, caps. */
class ExecTest extends SshTestBase {

    @Test
    void commandReturnsItsExitCodeStdoutAndStderr() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        CommandResult r = ssh.exec(server.target(), "echo out; echo err >&2; exit 3", Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).as("the pid wrapper's line is taken out").isEqualTo("err\n");
        assertThat(r.exitSignal()).isEmpty();
        assertThat(r.isSuccess()).isFalse();
        assertThat(r.duration()).isPositive();
    }

    @Test
    void stdinReachesTheCommandThenEndOfInput() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        CommandResult r = ssh.exec(server.target(), "tr a-z A-Z", "hello\n".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        assertThat(r.stdout()).isEqualTo("HELLO\n");
        assertThat(r.isSuccess()).isTrue();
    }

    @Test
    void commandsReuseOneConnection() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        for (int i = 0; i < 20; i++) {
            assertThat(ssh.exec(server.target(), "echo " + i, Duration.ofSeconds(10)).stdout()).isEqualTo(i + "\n");
        }
        assertThat(ssh.stats(server.target()).connections().created()).isEqualTo(1);
        assertThat(ssh.stats(server.target()).commands()).isEqualTo(20);
    }

    @Test
    void outputBeyondTheCapIsDroppedAndSaid() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).maxOutputBytes(1000));
        CommandResult r = ssh.exec(server.target(), "head -c 100000 /dev/zero | tr '\\0' x", Duration.ofSeconds(10));
        assertThat(r.stdoutBytes()).hasSize(1000);
        assertThat(r.stdoutTruncated()).isTrue();
        assertThat(r.isSuccess()).isTrue();
    }
}
