package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * SFTP against the real OpenSSH sshd (its internal-sftp/sftp-server subsystem): files of 0 bytes, 1
 * byte and 100 MiB both ways, streamed (this IT's JVM runs with a heap smaller than the file, see the
 * pom), the mode kept, the permission and missing-directory errors OpenSSH gives.
 */
class SftpIT extends OpenSshTestBase {

    /** A fresh directory in the test user's home, made over SSH (the user cannot write the test's temp dir). */
    private static String remoteDir(SshPool ssh, SshTarget t) throws Exception {
        CommandResult r = ssh.exec(t, "mktemp -d \"$HOME/poolkit-sftp.XXXXXX\"", Duration.ofSeconds(10));
        assertThat(r.exitCode()).as("%s", r).isZero();
        return r.stdout().trim();
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Writes {@code size} pseudo-random bytes, 1 MiB at a time. */
    private static void fill(Path file, long size) throws Exception {
        Random random = new Random(size);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }

    @Test
    void filesOfZeroOneAndHundredMebibytesGoBothWaysIntactWithTheirMode() throws Exception {
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        String dir = remoteDir(ssh, t);
        for (long size : new long[] {0, 1, 100L << 20}) {
            Path local = work.resolve("f" + size);
            fill(local, size);
            Files.setPosixFilePermissions(local, PosixFilePermissions.fromString("rwxr-x---"));
            String remote = dir + "/f" + size;
            TransferResult up = ssh.upload(t, local, remote);
            assertThat(up.bytes()).isEqualTo(size);
            CommandResult check = ssh.exec(t, "stat -c '%s %a' " + remote + "; sha256sum < " + remote + " | cut -d' ' -f1",
                    Duration.ofSeconds(30));
            assertThat(check.stdout()).isEqualTo(size + " 750\n" + sha256(local) + "\n");
            Path back = work.resolve("back" + size);
            assertThat(ssh.exec(t, "chmod 640 " + remote, Duration.ofSeconds(10)).exitCode()).isZero();
            TransferResult down = ssh.download(t, remote, back);
            assertThat(down.bytes()).isEqualTo(size);
            assertThat(sha256(back)).isEqualTo(sha256(local));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(back))).isEqualTo("rw-r-----");
            if (size > 1) {
                assertThat(heap).as("the JVM's heap is smaller than the file: it was streamed").isLessThan(size);
                System.out.printf("100 MiB over real OpenSSH: up %d ms, down %d ms%n", up.duration().toMillis(),
                        down.duration().toMillis());
            }
            Files.delete(local);
            Files.delete(back);
        }
        assertThat(ssh.exec(t, "ls -A " + dir, Duration.ofSeconds(10)).stdout()).as("no temporary file left")
                .isEqualTo("f0\nf1\nf104857600\n");
        ssh.exec(t, "rm -rf " + dir, Duration.ofSeconds(10));
        assertThat(ssh.stats(t).connections().created()).isEqualTo(1);
    }

    @Test
    void permissionDeniedAndMissingDirectoriesAreClearErrorsAndLeaveTheCountsExact() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        Path local = Files.writeString(work.resolve("x.txt"), "x");
        assertThatThrownBy(() -> ssh.upload(t, local, "/etc/poolkit-denied.txt"))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("/etc").hasMessageContaining("permission denied")
                .hasMessageContaining(t.toString());
        assertThatThrownBy(() -> ssh.upload(t, local, "/no/such/dir/x.txt"))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("/no/such/dir");
        assertThatThrownBy(() -> ssh.download(t, "/etc/shadow", work.resolve("shadow")))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("/etc/shadow");
        assertThatThrownBy(() -> ssh.upload(t, work.resolve("missing"), "x"))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining(work.resolve("missing").toString());
        try (SftpSession sftp = ssh.sftp(t)) {
            assertThat(sftp.list("/etc")).extracting(RemoteFile::name).contains("passwd").doesNotContain(".", "..");
            assertThatThrownBy(() -> sftp.mkdir("/etc/poolkit-denied")).isInstanceOf(AccessDeniedException.class);
        }
        assertThat(Files.list(work).map(p -> p.getFileName().toString()).filter(n -> n.contains("poolkit"))).isEmpty();
        Await.until(() -> ssh.stats(t).channelsOpen() == 0 && ssh.stats(t).connectionsInUse() == 0,
                () -> "no channel nor lease left: " + ssh.stats(t));
        SshStats st = ssh.stats(t);
        assertThat(st.waiting()).isZero();
        assertThat(st.connections().leased()).isZero();
        assertThat(st.connections().created()).as("the failures cost no connection: %s", st).isEqualTo(1);
    }

    /** A transfer on another thread, interrupted once {@code midway} holds; what it threw. */
    private interface Transfer {
        void run() throws Exception;
    }

    private static Throwable interruptedMidway(Transfer transfer, BooleanSupplier midway) throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                transfer.run();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        }, "transfer");
        caller.start();
        Await.until(Duration.ofSeconds(30), () -> midway.getAsBoolean() || outcome.isDone(), () -> "the transfer is under way");
        caller.interrupt();
        Throwable t = outcome.get(20, TimeUnit.SECONDS);
        caller.join(5_000);
        assertThat(caller.isAlive()).isFalse();
        return t;
    }

    /** Local temporary files of downloads in {@code dir}, with their sizes. */
    private static List<Long> localTemporaries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".poolkit.tmp")).map(p -> {
                try {
                    return Files.size(p);
                } catch (java.io.IOException e) {
                    return 0L; // moved or removed meanwhile
                }
            }).toList();
        }
    }

    /** The sizes of the upload temporaries in the remote {@code dir}, listed on an SFTP session. */
    private static List<Long> remoteTemporaries(SshPool ssh, SshTarget t, String dir) throws Exception {
        try (SftpSession sftp = ssh.sftp(t)) {
            return sftp.list(dir).stream().filter(f -> f.name().contains(".poolkit-")).map(RemoteFile::size).toList();
        }
    }

    @Test
    void hundredMebibyteTransfersStopAtTheirTimeoutOrAnInterruptLeaveNoTemporaryFileAndFreeTheirChannels() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        String dir = remoteDir(ssh, t);
        Path local = work.resolve("big");
        fill(local, 100L << 20);

        long start = System.nanoTime();
        assertThatThrownBy(() -> ssh.upload(t, local, dir + "/big", Duration.ofMillis(300)))
                .isInstanceOf(SshException.class).hasMessageContaining("did not finish within 300 ms")
                .hasMessageContaining("temporary file removed").hasMessageContaining(dir + "/big");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("stopped at its timeout").isLessThan(Duration.ofSeconds(10));
        assertThat(ssh.exec(t, "ls -A " + dir, Duration.ofSeconds(10)).stdout()).as("nothing left by the upload").isEmpty();

        Throwable up = interruptedMidway(() -> ssh.upload(t, local, dir + "/big"),
                () -> {
                    try {
                        return remoteTemporaries(ssh, t, dir).stream().anyMatch(size -> size > 0);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
        assertThat(up).isInstanceOf(InterruptedException.class).hasMessageContaining("temporary file was removed");
        assertThat(ssh.exec(t, "ls -A " + dir, Duration.ofSeconds(10)).stdout()).as("nothing left by the upload").isEmpty();

        ssh.upload(t, local, dir + "/big");
        Path down = work.resolve("down");
        start = System.nanoTime();
        assertThatThrownBy(() -> ssh.download(t, dir + "/big", down, Duration.ofMillis(300)))
                .isInstanceOf(SshException.class).hasMessageContaining("did not finish within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("stopped at its timeout").isLessThan(Duration.ofSeconds(10));
        assertThat(localTemporaries(work)).isEmpty();
        Throwable downInterrupted = interruptedMidway(() -> ssh.download(t, dir + "/big", down),
                () -> {
                    try {
                        return localTemporaries(work).stream().anyMatch(size -> size > 0);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
        assertThat(downInterrupted).isInstanceOf(InterruptedException.class).hasMessageContaining("temporary file was removed");
        assertThat(localTemporaries(work)).isEmpty();
        assertThat(Files.exists(down)).isFalse();

        ssh.exec(t, "rm -rf " + dir, Duration.ofSeconds(10));
        Await.until(() -> ssh.stats(t).channelsOpen() == 0 && ssh.stats(t).connectionsInUse() == 0,
                () -> "every channel and lease came back: " + ssh.stats(t));
        SshStats st = ssh.stats(t);
        assertThat(st.waiting()).isZero();
        assertThat(st.connections().leased()).isZero();
    }
}
