package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Long commands with streamed input and output; the remote handle. */
class StreamingTest extends SshTestBase {

    @Test
    void aStreamedCommandReadsStdinAndWritesStdoutAsItGoes() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        try (RemoteProcess p = ssh.start(server.target(), "cat; echo done >&2")) {
            OutputStream in = p.stdin();
            in.write("line one\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            byte[] first = new byte[9];
            InputStream out = p.stdout();
            int n = 0;
            while (n < 9) {
                n += out.read(first, n, 9 - n);
            }
            assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("line one\n");
            in.close();
            assertThat(p.waitFor(Duration.ofSeconds(10))).isTrue();
            assertThat(out.readAllBytes()).isEmpty();
            assertThat(new String(p.stderr().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("done\n");
            assertThat(p.result().exitCode()).isZero();
        }
    }

    @Test
    void aSlowReaderHoldsTheCommandBackInsteadOfFillingMemory() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        try (RemoteProcess p = ssh.start(server.target(), "head -c 20000000 /dev/zero")) {
            InputStream out = p.stdout();
            assertThat(out.read(new byte[1000])).isPositive();
            assertThat(p.waitFor(Duration.ofMillis(300))).as("blocked by the window, not done").isFalse();
            long total = 1000;
            byte[] buf = new byte[65536];
            int n;
            while ((n = out.read(buf)) >= 0) {
                total += n;
            }
            assertThat(total).isGreaterThanOrEqualTo(20_000_000L - 1000);
            assertThat(p.waitFor(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void closingARunningStreamedCommandStopsIt() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        RemoteProcess p = ssh.start(server.target(), "sleep 35");
        Await.until(() -> server.started("sleep 35"), () -> "started");
        long pid = server.pidOf("sleep 35");
        p.close();
        Await.until(() -> !EmbeddedSshServer.alive(pid), () -> "stopped");
        assertThatThrownBy(p::stdout).isInstanceOf(IllegalStateException.class).hasMessageContaining("used after close");
    }

    @Test
    void aRemoteKeepsItsConnectionBetweenCommandsAndRefusesUseAfterClose() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        Remote r = ssh.remote(t);
        for (int i = 0; i < 5; i++) {
            assertThat(r.exec("echo " + i).stdout()).isEqualTo(i + "\n");
            Await.until(() -> ssh.stats(t).channelsOpen() == 0, () -> "channel closed");
            assertThat(ssh.stats(t).connectionsInUse()).as("kept between commands").isEqualTo(1);
        }
        r.close();
        Await.until(() -> ssh.stats(t).connectionsInUse() == 0, () -> "returned after close: " + ssh.stats(t));
        assertThatThrownBy(() -> r.exec("true")).isInstanceOf(IllegalStateException.class).hasMessageContaining("used after close");
        r.close();
    }
}
