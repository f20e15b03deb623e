package io.poolkit.bench.ssh;

import io.poolkit.Pool;
import io.poolkit.ssh.SshPool;
import io.poolkit.ssh.SshTarget;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * Files per second and throughput over SFTP on one target: {@link SshPool#upload} / {@link
 * SshPool#download} (warm connections; each file on its own SFTP channel, written under a temporary
 * name and renamed, its mode set) against a new connection per file (connect, key exchange,
 * authentication, SFTP channel, the same 64 KiB streaming, close — what {@code scp}/{@code sftp} in a
 * loop pays), for several file sizes and numbers of callers.
 *
 * <p>The peer is a real OpenSSH {@code sshd} (internal-sftp) on a loopback port, from the material
 * {@code .ci/services/openssh.sh} prepares. Files go to a fresh directory in the test user's home.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./mvnw -q -Pbench -pl pool-bench -am -DskipTests package
 * java -cp 'pool-bench/target/pool-bench.jar:pool-bench/target/lib/*' io.poolkit.bench.ssh.TransferBench --seconds 5 --sizes 4k,1m,16m --callers 1,4
 * </pre>
 */
public final class TransferBench {
    private static final int BUFFER = 64 * 1024;

    private TransferBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = 5;
        List<Long> sizes = List.of(4L << 10, 1L << 20, 16L << 20);
        List<Integer> callers = List.of(1, 4);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--sizes" -> {
                    List<Long> s = new ArrayList<>();
                    for (String v : args[++i].split(",")) {
                        s.add(size(v.trim()));
                    }
                    sizes = s;
                }
                case "--callers" -> {
                    List<Integer> c = new ArrayList<>();
                    for (String v : args[++i].split(",")) {
                        c.add(Integer.parseInt(v.trim()));
                    }
                    callers = c;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --seconds N --sizes 4k,1m,16m --callers 1,4");
            }
        }
        Path dir = Path.of(SshBench.env("POOLKIT_SSH_DIR", "/tmp/poolkit-openssh"));
        Path sshdBinary = Path.of(SshBench.env("POOLKIT_SSHD", "/usr/sbin/sshd"));
        String user = SshBench.env("POOLKIT_SSH_USER", "poolkit-ssh");
        if (!Files.isExecutable(sshdBinary) || !Files.exists(dir.resolve("client_ed25519"))) {
            System.err.println("OpenSSH or its material missing (" + sshdBinary + ", " + dir + "): run `bash .ci/services/openssh.sh` as root");
            System.exit(2);
        }
        Path work = Files.createTempDirectory("transfer-bench");
        int port = SshBench.freePort();
        Process sshd = SshBench.startSshd(sshdBinary, dir, work, port);
        try {
            Path knownHosts = work.resolve("known_hosts");
            String[] pub = Files.readString(dir.resolve("host_ed25519_key.pub")).trim().split("\\s+");
            Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1] + "\n");
            Path key = dir.resolve("client_ed25519");
            SshTarget target = SshTarget.of("127.0.0.1", port, user).withKey(key);
            System.out.printf(Locale.ROOT, "SFTP transfers against OpenSSH on 127.0.0.1:%d, %.1f s per run, %s%n", port, seconds,
                    Runtime.version());
            System.out.println("| size | callers | direction | pooled (files/s) | pooled (MB/s) | new connection per file (files/s) "
                    + "| new connection per file (MB/s) | ratio |");
            System.out.println("|---:|---:|---|---:|---:|---:|---:|---:|");
            try (SshPool ssh = SshPool.builder().name("bench").knownHosts(knownHosts).maxChannelsPerConnection(8)
                    .heartbeatInterval(Pool.FOREVER).build()) {
                String remoteDir = ssh.exec(target, "mktemp -d \"$HOME/transfer-bench.XXXXXX\"", Duration.ofSeconds(10)).stdout().trim();
                try {
                    for (long size : sizes) {
                        Path local = work.resolve("file-" + size);
                        fill(local, size);
                        String source = remoteDir + "/source-" + size;
                        ssh.upload(target, local, source);
                        for (int n : callers) {
                            AtomicInteger names = new AtomicInteger();
                            SshBench.Body pooledUp = () -> ssh.upload(target, local, remoteDir + "/up-" + (names.incrementAndGet() % 64));
                            SshBench.Body pooledDown = () -> ssh.download(target, source,
                                    work.resolve("down-" + (names.incrementAndGet() % 64)));
                            try (Unpooled fresh = new Unpooled(port, user, key, knownHosts)) {
                                SshBench.Body freshUp = () -> fresh.upload(local, remoteDir + "/up-" + (names.incrementAndGet() % 64));
                                SshBench.Body freshDown = () -> fresh.download(source, work.resolve("down-" + (names.incrementAndGet() % 64)));
                                row(size, n, "upload", seconds, pooledUp, freshUp);
                                row(size, n, "download", seconds, pooledDown, freshDown);
                            }
                        }
                        Files.delete(local);
                    }
                } finally {
                    ssh.exec(target, "rm -rf " + remoteDir, Duration.ofSeconds(30));
                }
            }
        } finally {
            sshd.descendants().forEach(ProcessHandle::destroy);
            sshd.destroy();
            sshd.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static void row(long size, int n, String direction, double seconds, SshBench.Body pooled, SshBench.Body fresh)
            throws Exception {
        SshBench.run(n, Math.min(1, seconds), pooled); // warm-up
        double p = SshBench.run(n, seconds, pooled);
        SshBench.run(n, Math.min(1, seconds), fresh);
        double f = SshBench.run(n, seconds, fresh);
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %.1f | %.1f | %.1f | %.1f | %.1fx |%n", label(size), n, direction, p,
                p * size / 1e6, f, f * size / 1e6, p / f);
    }

    private static long size(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        long unit = s.endsWith("k") ? 1L << 10 : s.endsWith("m") ? 1L << 20 : 1;
        return Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
    }

    private static String label(long size) {
        return size >= 1 << 20 ? (size >> 20) + " MiB" : size >= 1 << 10 ? (size >> 10) + " KiB" : size + " B";
    }

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

    /** What a script pays per file: a new connection, key exchange, authentication and SFTP channel, then the same streaming. */
    private static final class Unpooled implements AutoCloseable {
        private final int port;
        private final String user;
        private final KeyPair pair;
        private final SshClient client;

        Unpooled(int port, String user, Path key, Path knownHosts) throws Exception {
            this.port = port;
            this.user = user;
            try (InputStream in = Files.newInputStream(key)) {
                pair = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(key.toString()), in, FilePasswordProvider.EMPTY)
                        .iterator().next();
            }
            client = SshClient.setUpDefaultClient();
            CoreModuleProperties.TCP_NODELAY.set(client, true);
            client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
            client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, knownHosts));
            client.start();
        }

        private SftpClient open(ClientSession session) throws Exception {
            session.addPublicKeyIdentity(pair);
            session.auth().verify(Duration.ofSeconds(30));
            return SftpClientFactory.instance().createSftpClient(session);
        }

        void upload(Path local, String remote) throws Exception {
            try (ClientSession session = client.connect(user, "127.0.0.1", port).verify(Duration.ofSeconds(30)).getSession();
                 SftpClient sftp = open(session); InputStream in = Files.newInputStream(local);
                 OutputStream out = sftp.write(remote, BUFFER)) {
                in.transferTo(out);
            }
        }

        void download(String remote, Path local) throws Exception {
            try (ClientSession session = client.connect(user, "127.0.0.1", port).verify(Duration.ofSeconds(30)).getSession();
                 SftpClient sftp = open(session); InputStream in = sftp.read(remote, BUFFER);
                 OutputStream out = Files.newOutputStream(local)) {
                in.transferTo(out);
            }
        }

        @Override
        public void close() {
            client.stop();
        }
    }
}
