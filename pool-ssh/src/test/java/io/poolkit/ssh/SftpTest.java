package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.junit.jupiter.api.Test;

/** SFTP on pooled connections against the embedded server: the session lease, uploads and downloads, bad input, timeouts. */
class SftpTest extends SshTestBase {

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** Files left in {@code d} whose names say they are a transfer's temporary file. */
    static List<String> temporaries(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".poolkit")).toList();
        }
    }

    @Test
    void aSessionListsStatsReadsWritesMakesRenamesAndRemoves() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        Path root = Files.createDirectory(dir.resolve("remote"));
        Files.writeString(root.resolve("a.txt"), "alpha");
        try (SftpSession sftp = ssh.sftp(t)) {
            assertThat(ssh.stats(t).channelsOpen()).as("an SFTP session holds a channel permit").isEqualTo(1);
            String r = root.toString();
            sftp.mkdir(r + "/sub");
            try (OutputStream out = sftp.write(r + "/b.txt")) {
                out.write("bravo".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(sftp.list(r)).extracting(RemoteFile::name).containsExactlyInAnyOrder("a.txt", "b.txt", "sub");
            RemoteFile sub = sftp.list(r).stream().filter(f -> f.name().equals("sub")).findFirst().orElseThrow();
            assertThat(sub.isDirectory()).isTrue();
            RemoteFile a = sftp.stat(r + "/a.txt");
            assertThat(a.size()).isEqualTo(5);
            assertThat(a.isDirectory()).isFalse();
            assertThat(a.modified()).isEqualTo(Files.getLastModifiedTime(root.resolve("a.txt")).toInstant().truncatedTo(
                    java.time.temporal.ChronoUnit.SECONDS));
            try (InputStream in = sftp.read(r + "/b.txt")) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("bravo");
            }
            sftp.rename(r + "/b.txt", r + "/a.txt"); // replaces a.txt
            assertThat(Files.readString(root.resolve("a.txt"))).isEqualTo("bravo");
            sftp.remove(r + "/a.txt");
            sftp.remove(r + "/sub");
            assertThat(sftp.list(r)).isEmpty();
            assertThatThrownBy(() -> sftp.stat(r + "/gone"))
                    .isInstanceOf(NoSuchFileException.class).hasMessageContaining(r + "/gone").hasMessageContaining("no such file");
            assertThat(sftp.list(r)).as("the session still works after a failed call").isEmpty();
        }
        Await.until(() -> ssh.stats(t).channelsOpen() == 0, () -> "the permit came back: " + ssh.stats(t));
        assertThat(ssh.stats(t).connections().created()).isEqualTo(1);
    }

    @Test
    void aClosedSessionSaysSo() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SftpSession sftp = ssh.sftp(server.target());
        sftp.close();
        sftp.close();
        assertThatThrownBy(() -> sftp.list("/")).isInstanceOf(IllegalStateException.class).hasMessageContaining("used after close");
    }

    @Test
    void uploadIsAtomicKeepsTheModeAndReportsTheBytes() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        Path remoteDir = Files.createDirectory(dir.resolve("remote"));
        Path local = dir.resolve("app.bin");
        byte[] content = random(3 * 1024 * 1024 + 17);
        Files.write(local, content);
        Files.setPosixFilePermissions(local, PosixFilePermissions.fromString("rwxr-x---"));
        Path remote = remoteDir.resolve("app.bin");
        Files.writeString(remote, "the old version");
        TransferResult up = ssh.upload(t, local, remote.toString());
        assertThat(up.bytes()).isEqualTo(content.length);
        assertThat(up.duration()).isPositive();
        assertThat(Files.readAllBytes(remote)).isEqualTo(content);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(remote))).isEqualTo("rwxr-x---");
        assertThat(temporaries(remoteDir)).isEmpty();

        Path back = dir.resolve("back.bin");
        Files.setPosixFilePermissions(remote, PosixFilePermissions.fromString("rw-r-----"));
        TransferResult down = ssh.download(t, remote.toString(), back);
        assertThat(down.bytes()).isEqualTo(content.length);
        assertThat(Files.readAllBytes(back)).isEqualTo(content);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(back))).isEqualTo("rw-r-----");
        assertThat(temporaries(dir)).isEmpty();
        assertThat(ssh.stats(t).connections().created()).isEqualTo(1);
    }

    @Test
    void emptyAndOneByteFilesGoBothWays() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        Path remoteDir = Files.createDirectory(dir.resolve("remote"));
        for (int size : new int[] {0, 1}) {
            Path local = dir.resolve("f" + size);
            Files.write(local, random(size));
            String remote = remoteDir.resolve("f" + size).toString();
            assertThat(ssh.upload(server.target(), local, remote).bytes()).isEqualTo(size);
            Path back = dir.resolve("back" + size);
            assertThat(ssh.download(server.target(), remote, back).bytes()).isEqualTo(size);
            assertThat(Files.readAllBytes(back)).isEqualTo(Files.readAllBytes(local));
        }
    }

    @Test
    void badInputGetsAClearErrorNamingThePathAndLeavesNoChannel() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        Path remoteDir = Files.createDirectory(dir.resolve("remote"));
        Path missing = dir.resolve("missing.jar");
        assertThatThrownBy(() -> ssh.upload(t, missing, remoteDir + "/x"))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining(missing.toString())
                .hasMessageContaining("local file does not exist");
        assertThatThrownBy(() -> ssh.upload(t, dir, remoteDir + "/x"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("not a regular file");
        Path local = Files.writeString(dir.resolve("x"), "x");
        String noDir = remoteDir + "/no/such/dir/x";
        assertThatThrownBy(() -> ssh.upload(t, local, noDir))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining(remoteDir + "/no/such/dir");
        assertThatThrownBy(() -> ssh.download(t, remoteDir + "/absent", dir.resolve("y")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining(remoteDir + "/absent");
        assertThatThrownBy(() -> ssh.download(t, remoteDir.toString(), dir.resolve("y")))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("a directory");
        assertThatThrownBy(() -> ssh.download(t, remoteDir + "/x", dir.resolve("no/dir/y")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("local directory does not exist");
        assertThatThrownBy(() -> ssh.upload(t, local, "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("remote must name a file");
        assertThat(temporaries(dir)).isEmpty();
        assertThat(temporaries(remoteDir)).isEmpty();
        Await.until(() -> ssh.stats(t).channelsOpen() == 0, () -> "no channel left: " + ssh.stats(t));
    }

    /** A server that stops acknowledging writes: the caller's interrupt ends the upload, removes its temporary file, frees the permit. */
    @Test
    void anInterruptedUploadLeavesNoTemporaryFileAndReleasesItsPermit() throws Exception {
        EmbeddedSshServer server = server();
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.sftp().addSftpEventListener(stallWrites(writing, release));
        SshPool ssh = pool(builder(server).killGrace(Duration.ofMillis(500)));
        SshTarget t = server.target();
        Path remoteDir = Files.createDirectory(dir.resolve("remote"));
        Path local = dir.resolve("big");
        Files.write(local, random(8 * 1024 * 1024));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                ssh.upload(t, local, remoteDir + "/big");
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        try {
            caller.start();
            assertThat(writing.await(10, TimeUnit.SECONDS)).as("the upload started writing").isTrue();
            Await.until(() -> caller.getState() == Thread.State.WAITING || caller.getState() == Thread.State.TIMED_WAITING,
                    () -> "the caller waits: " + caller.getState());
            caller.interrupt();
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class)
                    .hasMessageContaining("temporary file was removed");
            caller.join(5_000);
            assertThat(caller.isAlive()).isFalse();
            assertThat(temporaries(remoteDir)).isEmpty();
            assertThat(Files.exists(remoteDir.resolve("big"))).isFalse();
        } finally {
            release.countDown();
        }
        Await.until(() -> ssh.stats(t).channelsOpen() == 0, () -> "the permits came back: " + ssh.stats(t));
    }

    @Test
    void anUploadPastItsTimeoutIsStoppedAndLeavesNoTemporaryFile() throws Exception {
        EmbeddedSshServer server = server();
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.sftp().addSftpEventListener(stallWrites(writing, release));
        SshPool ssh = pool(builder(server).killGrace(Duration.ofMillis(500)));
        SshTarget t = server.target();
        // connected first: the 700 ms go to the copy, not to a cold connect on a loaded machine
        assertThat(ssh.warm(t, 1)).isEqualTo(1);
        Path remoteDir = Files.createDirectory(dir.resolve("remote"));
        Path local = dir.resolve("big");
        Files.write(local, random(8 * 1024 * 1024));
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> ssh.upload(t, local, remoteDir + "/big", Duration.ofMillis(700)))
                    .isInstanceOf(SshException.class).hasMessageContaining("did not finish within 700 ms")
                    .hasMessageContaining("temporary file removed");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            assertThat(temporaries(remoteDir)).isEmpty();
        } finally {
            release.countDown();
        }
        Await.until(() -> ssh.stats(t).channelsOpen() == 0, () -> "the permits came back: " + ssh.stats(t));
    }

    /** The second write request of each channel blocks the server until released (the first lets the upload start). */
    static SftpEventListener stallWrites(CountDownLatch writing, CountDownLatch release) {
        return new SftpEventListener() {
            @Override
            public void writing(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
                                int dataOffset, int dataLen) {
                if (offset > 0) {
                    writing.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
    }

    @Test
    void concurrentUploadsShareConnectionsWithinTheirPermits() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(2).maxConnectionsPerTarget(4));
        SshTarget t = server.target();
        Path remoteDir = Files.createDirectory(dir.resolve("remote"));
        java.util.List<Integer> open = new java.util.concurrent.CopyOnWriteArrayList<>();
        Threads.run(8, Duration.ofSeconds(40), i -> {
            Path local = dir.resolve("c" + i);
            Files.write(local, random(256 * 1024 + i));
            for (int k = 0; k < 3; k++) {
                TransferResult up = ssh.upload(t, local, remoteDir + "/c" + i);
                assertThat(up.bytes()).isEqualTo(256 * 1024 + i);
                SshStats st = ssh.stats(t);
                open.add(st.channelsOpen() - st.channelPermits());
            }
            assertThat(Files.readAllBytes(remoteDir.resolve("c" + i))).isEqualTo(Files.readAllBytes(local));
        });
        assertThat(open).as("never more channels than permits").allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(0));
        assertThat(ssh.stats(t).connections().created()).isBetween(1L, 4L);
        assertThat(temporaries(remoteDir)).isEmpty();
    }

    @Test
    void anSftpChannelTakesAPermitLikeAnExec() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(1).maxConnectionsPerTarget(1)
                .acquireTimeout(Duration.ofMillis(500)));
        SshTarget t = server.target();
        // connected first: the 500 ms acquire timeout is for the exec's wait below, not for a cold connect
        assertThat(ssh.warm(t, 1)).isEqualTo(1);
        try (SftpSession sftp = ssh.sftp(t)) {
            assertThat(sftp.list(dir.toString())).isNotNull();
            assertThatThrownBy(() -> ssh.exec(t, "true", Duration.ofMillis(500))).isInstanceOf(io.poolkit.PoolTimeoutException.class);
        }
        assertThat(ssh.exec(t, "echo free", Duration.ofSeconds(10)).stdout()).isEqualTo("free\n");
    }

    /**
     * As for exec (ExecRacesTest): an SFTP channel's permit is back before upload, download or the
     * session's close returns. Before, close only asked for the channel's close and returned: the next
     * transfer from the same thread found the connection's one permit still taken and opened a second
     * connection.
     */
    @Test
    void sequentialTransfersFromOneThreadNeverOpenASecondConnection() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(1).maxConnectionsPerTarget(4));
        SshTarget t = server.target();
        Path remoteDir = Files.createDirectory(dir.resolve("remote"));
        Path local = Files.write(dir.resolve("small"), random(100));
        for (int i = 0; i < 60; i++) {
            switch (i % 3) {
                case 0 -> ssh.upload(t, local, remoteDir + "/small");
                case 1 -> ssh.download(t, remoteDir + "/small", dir.resolve("back"));
                default -> {
                    try (SftpSession sftp = ssh.sftp(t)) {
                        assertThat(sftp.stat(remoteDir + "/small").size()).isEqualTo(100);
                    }
                }
            }
            SshStats st = ssh.stats(t);
            assertThat(st.channelsOpen()).as("after transfer %d, its permit is back: %s", i, st).isZero();
            assertThat(st.connections().created() + st.connections().creating()).as("after transfer %d: %s", i, st).isEqualTo(1);
        }
    }
}
