package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A target behind a jump host, both real OpenSSH sshd, where the target is reachable only through the
 * jump host: the jump sshd runs in a network namespace linked to this JVM's, the target sshd in a
 * second namespace linked only to the first (see {@link Netns}); this JVM has no route to it.
 */
class JumpHostIT extends OpenSshTestBase {
    private Netns netns;
    private OpenSsh jump;
    private OpenSsh inner;

    @BeforeEach
    void twoHostsOneBehindTheOther() throws Exception {
        netns = Netns.create();
        jump = OpenSsh.startIn(netns.jump, netns.jumpAddress, work, "");
        servers.add(jump);
        inner = OpenSsh.startIn(netns.inner, netns.innerAddress, work, "");
        servers.add(inner);
    }

    @AfterEach
    void removeTheNamespaces() throws Exception {
        for (OpenSsh s : servers) {
            s.close();
        }
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void theTargetIsReachableOnlyThroughTheJumpHostAndThePoolGoesThere() throws Exception {
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(inner.host(), inner.port()), 1_000);
            }
        }).as("no way from here to the inner host but through the jump host").isInstanceOf(IOException.class);
        SshPool ssh = pool(builder(jump, inner).circuitBreaker(50, Duration.ofSeconds(1)));
        SshTarget direct = track(inner.target());
        assertThatThrownBy(() -> ssh.exec(direct, "true", Duration.ofSeconds(4))).as("directly: unreachable")
                .isInstanceOf(RuntimeException.class);

        SshTarget j = jump.target();
        SshTarget behind = inner.target().via(j);
        CommandResult r = ssh.exec(behind, "echo \"$SSH_CONNECTION\"", Duration.ofSeconds(20));
        assertThat(r.exitCode()).isZero();
        // the inner sshd sees the jump host's side of their link as the client, and itself as the server
        String[] conn = r.stdout().trim().split(" ");
        assertThat(conn[0]).isEqualTo(netns.innerAddress.replaceAll("\\.2$", ".1"));
        assertThat(conn[2]).isEqualTo(netns.innerAddress);
        for (int i = 0; i < 10; i++) {
            assertThat(ssh.exec(behind, "echo " + i, Duration.ofSeconds(10)).stdout()).isEqualTo(i + "\n");
        }
        Path local = Files.writeString(work.resolve("through.txt"), "through the jump host");
        assertThat(ssh.upload(behind, local, "through.txt").bytes()).isEqualTo(21);
        assertThat(ssh.exec(behind, "cat through.txt; rm through.txt", Duration.ofSeconds(10)).stdout())
                .isEqualTo("through the jump host");
        assertThat(ssh.stats(behind).connections().created()).isEqualTo(1);
        SshStats js = ssh.stats(j);
        assertThat(js.connections().created()).as("one pooled jump connection, under the jump target: %s", js).isEqualTo(1);
        assertThat(js.connectionsInUse()).isEqualTo(1);
        assertThat(js.channelsOpen()).as("its direct-tcpip channel takes no session permit").isZero();
        assertThat(ssh.exec(j, "echo on the jump host", Duration.ofSeconds(10)).stdout()).isEqualTo("on the jump host\n");
        assertThat(ssh.stats(j).connections().created()).as("commands on the jump host share it too").isEqualTo(1);
    }

    @Test
    void anUnknownJumpHostKeyIsAClearErrorAndCountsStayExact() throws Exception {
        SshPool ssh = pool(builder(inner)); // the jump host's key is not in known_hosts
        SshTarget j = track(jump.target());
        SshTarget behind = track(inner.target().via(j));
        assertThatThrownBy(() -> ssh.exec(behind, "true", Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(HostKeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HostKeyException.Reason.UNKNOWN);
                    assertThat(e.getMessage()).contains("its jump host", "[" + netns.jumpAddress + "]:" + jump.port(),
                            "is unknown", "ssh-ed25519 SHA256:");
                });
        for (SshTarget each : new SshTarget[] {behind, j}) {
            SshStats st = ssh.stats(each);
            assertThat(st.connections().leased()).as("%s: %s", each, st).isZero();
            assertThat(st.connections().idle()).as("no connection was made: %s", st).isZero();
            assertThat(st.connectionsInUse()).as("%s", st).isZero();
            assertThat(st.channelsOpen()).as("%s", st).isZero();
            assertThat(st.waiting()).as("%s", st).isZero();
        }
        // the same clear error again, at once: nothing was left half-open by the first attempt
        long start = System.nanoTime();
        assertThatThrownBy(() -> ssh.exec(behind, "true", Duration.ofSeconds(20))).isInstanceOf(HostKeyException.class)
                .hasMessageContaining("its jump host");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not at the acquire deadline").isLessThan(Duration.ofSeconds(12));
    }

    @Test
    void theTargetsKeyIsCheckedUnderItsOwnName() throws Exception {
        EmbeddedSshServer.append(knownHosts, jump.knownHostsLine("host_ed25519_key"));
        // the inner host recorded with another key: a changed key, found under the inner host's own name
        EmbeddedSshServer.append(knownHosts, inner.knownHostsLine("other_host_ed25519_key"));
        SshPool ssh = pool(builder());
        SshTarget behind = track(inner.target().via(track(jump.target())));
        assertThatThrownBy(() -> ssh.exec(behind, "true", Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(HostKeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HostKeyException.Reason.CHANGED);
                    assertThat(e.getMessage()).contains("[" + netns.innerAddress + "]:" + inner.port());
                });
    }
}
