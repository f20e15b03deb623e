package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Closing the pool while a transfer runs: the transfer gets its grace, then it is stopped as a timeout
 * stops it, its temporary file removed on the host, and its caller told that the pool shut down.
 */
class SftpShutdownTest extends SshTestBase {

    @Test
    void anUploadStillRunningWhenThePoolShutsDownIsStoppedAndLeavesNoTemporaryFile() throws Exception {
        EmbeddedSshServer server = server();
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.sftp().addSftpEventListener(SftpTest.stallWrites(writing, release));
        SshPool ssh = pool(builder(server).killGrace(Duration.ofMillis(500)));
        SshTarget t = server.target();
        Path remoteDir = Files.createDirectory(dir.resolve("remote"));
        Path local = dir.resolve("big");
        Files.write(local, SftpTest.random(8 * 1024 * 1024));
        CompletableFuture<Throwable> upload = new CompletableFuture<>();
        Thread uploader = new Thread(() -> {
            try {
                ssh.upload(t, local, remoteDir + "/big", Duration.ofSeconds(30));
                upload.complete(null);
            } catch (Throwable e) {
                upload.complete(e);
            }
        }, "uploader");
        uploader.start();
        try {
            assertThat(writing.await(20, TimeUnit.SECONDS)).as("the upload is under way").isTrue();
            long start = System.nanoTime();
            ssh.shutdown(Duration.ofMillis(300));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            Throwable failure = upload.get(10, TimeUnit.SECONDS);
            assertThat(failure).isInstanceOf(SshException.class).hasMessageContaining("shut down")
                    .hasMessageContaining("temporary file removed");
            assertThat(SftpTest.temporaries(remoteDir)).isEmpty();
            assertThat(remoteDir.resolve("big")).doesNotExist();
        } finally {
            release.countDown();
            uploader.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(uploader.isAlive()).isFalse();
    }
}
