package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.junit.jupiter.api.Test;

/**
 * A pooled connection can die between two uses (the server restarted, a NAT dropped it) just as an
 * SFTP channel opens on it. Starting SFTP has no effect on the host, so, as for a command whose exec
 * was never sent, the caller never sees that: the channel opens on another connection.
 */
class SftpLostConnectionTest extends SshTestBase {

    /** Drops the whole connection the first {@code times} times an SFTP subsystem starts. */
    private static AtomicInteger dropConnectionOnSftpStart(EmbeddedSshServer server, int times) {
        AtomicInteger dropped = new AtomicInteger();
        server.sftp().addSftpEventListener(new SftpEventListener() {
            @Override
            public void initialized(ServerSession session, int version) {
                if (dropped.getAndIncrement() < times) {
                    session.close(true);
                }
            }
        });
        return dropped;
    }

    @Test
    void anUploadWhoseConnectionDiesAsSftpStartsGoesToAFreshConnection() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        assertThat(ssh.exec(t, "echo warm").exitCode()).isZero();
        AtomicInteger dropped = dropConnectionOnSftpStart(server, 1);
        Path local = dir.resolve("local.txt");
        Files.writeString(local, "payload");
        Path remote = Files.createDirectory(dir.resolve("remote")).resolve("copy.txt");
        assertThat(ssh.upload(t, local, remote.toString()).bytes()).isEqualTo(7);
        assertThat(Files.readString(remote, StandardCharsets.UTF_8)).isEqualTo("payload");
        assertThat(dropped.get()).as("SFTP started twice: dropped, then on a fresh connection").isEqualTo(2);
        assertThat(ssh.stats(t).connections().created()).isEqualTo(2);
    }

    @Test
    void anSftpSessionWhoseConnectionDiesAsItStartsOpensOnAFreshConnection() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        assertThat(ssh.exec(t, "echo warm").exitCode()).isZero();
        dropConnectionOnSftpStart(server, 1);
        try (SftpSession sftp = ssh.sftp(t)) {
            assertThat(sftp.list(dir.toString())).isNotNull();
        }
        assertThat(ssh.stats(t).connections().created()).isEqualTo(2);
    }

    @Test
    void anUploadWhoseConnectionIsLostMidwayFailsNamingThePathAndTheHost() throws Exception {
        EmbeddedSshServer server = server();
        server.sftp().addSftpEventListener(new SftpEventListener() {
            @Override
            public void writing(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
                                int dataOffset, int dataLen) {
                if (offset > 0) {
                    session.close(true);
                }
            }
        });
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        Path local = dir.resolve("big");
        Files.write(local, SftpTest.random(4 * 1024 * 1024));
        Path remoteDir = Files.createDirectory(dir.resolve("remote"));
        String remote = remoteDir + "/big";
        assertThatThrownBy(() -> ssh.upload(t, local, remote))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(remote)
                .hasMessageContaining(t.toString());
        assertThat(SftpTest.temporaries(remoteDir)).as("removed on a fresh connection").isEmpty();
    }
}
