package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.DestroyReason;
import io.poolkit.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.junit.jupiter.api.Test;

/**
 * {@code withSession} against the real OpenSSH sshd: the lent MINA session carries channels of the
 * caller's own, inside the pool's accounting (one permit held for the call), and what the function
 * does to the session (close it, throw) leaves the counts exact.
 */
class WithSessionIT extends OpenSshTestBase {

    @Test
    void theLentSessionRunsAChannelOfTheCallersOwnAndHoldsOnePermit() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd).maxChannelsPerConnection(2).maxConnectionsPerTarget(1));
        SshTarget t = sshd.target();
        String said = ssh.withSession(t, session -> {
            SshStats st = ssh.stats(t);
            assertThat(st.channelsOpen()).as("the loan holds a permit: %s", st).isEqualTo(1);
            assertThat(st.connectionsInUse()).isEqualTo(1);
            assertThat(ssh.exec(t, "echo beside", Duration.ofSeconds(10)).stdout()).as("the other permit is free")
                    .isEqualTo("beside\n");
            try (ChannelExec ch = session.createExecChannel("echo \"$SSH_CONNECTION\" | wc -w")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ch.setOut(out);
                ch.open().verify(Duration.ofSeconds(10));
                ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10));
                return session.getServerVersion() + " " + out.toString(StandardCharsets.UTF_8).trim();
            }
        });
        assertThat(said).startsWith("SSH-2.0-OpenSSH").endsWith(" 4");
        Await.until(() -> ssh.stats(t).channelsOpen() == 0 && ssh.stats(t).connectionsInUse() == 0,
                () -> "the permit and the lease came back: " + ssh.stats(t));
        assertThat(ssh.stats(t).connections().created()).isEqualTo(1);
    }

    @Test
    void aSessionTheFunctionClosedIsDiscardedAndAFailureFreesThePermit() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        assertThatThrownBy(() -> ssh.withSession(t, session -> {
            throw new IOException("the caller's own failure");
        })).isInstanceOf(SshException.class).hasRootCauseMessage("the caller's own failure");
        assertThat(ssh.stats(t).channelsOpen()).isZero();
        ssh.withSession(t, session -> {
            session.close(true);
            return null;
        });
        Await.until(() -> ssh.stats(t).connections().destroyedBy(DestroyReason.INVALIDATED) == 1,
                () -> "the closed connection was discarded: " + ssh.stats(t));
        assertThat(ssh.exec(t, "echo fresh", Duration.ofSeconds(10)).stdout()).isEqualTo("fresh\n");
        SshStats st = ssh.stats(t);
        assertThat(st.connections().created()).as("%s", st).isEqualTo(2);
        Await.until(() -> ssh.stats(t).channelsOpen() == 0 && ssh.stats(t).connectionsInUse() == 0,
                () -> "the permit and the lease came back: " + ssh.stats(t));
    }
}
