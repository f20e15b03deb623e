package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.junit.jupiter.api.Test;

/**
 * A server that stops answering while SFTP starts (found against an OpenSSH whose session processes
 * were stopped: an upload given 2 s took 15 s, MINA's own SFTP start timeout): the transfer's timeout
 * bounds the start too, as its documentation says ("waiting for a channel included").
 */
class SftpStartTimeoutTest extends SshTestBase {

    @Test
    void anUploadWhoseSftpStartHangsEndsAtItsTimeout() throws Exception {
        EmbeddedSshServer server = server();
        CountDownLatch release = new CountDownLatch(1);
        server.sftp().addSftpEventListener(new SftpEventListener() {
            @Override
            public void initialized(ServerSession session, int version) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        assertThat(ssh.warm(t, 1)).isEqualTo(1);
        Path local = dir.resolve("small");
        Files.writeString(local, "x");
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> ssh.upload(t, local, dir.resolve("copy").toString(), Duration.ofMillis(1500)))
                    .isInstanceOf(SshException.class).hasMessageContaining("1500 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        } finally {
            release.countDown();
        }
        assertThat(dir.resolve("copy")).doesNotExist();
    }
}
