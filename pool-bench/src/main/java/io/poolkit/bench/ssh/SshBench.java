package io.poolkit.bench.ssh;

import io.poolkit.Pool;
import io.poolkit.ssh.CommandResult;
import io.poolkit.ssh.SshPool;
import io.poolkit.ssh.SshTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Commands per second on one SSH target: {@link SshPool} (warm connections, channels multiplexed)
 * against a new connection per command (connect, key exchange, authentication, exec, close — what a
 * script calling {@code ssh host cmd} pays), with 1, 8 and 32 concurrent callers. The goal
 * (issue 5): pooled at least 30x unpooled.
 *
 * <p>The peer is a real OpenSSH {@code sshd} started on a loopback port from the material
 * {@code .ci/services/openssh.sh} prepares (run that first, as root). Each caller runs {@code true}
 * in a loop for {@code --seconds}; both sides use TCP_NODELAY and the same client key.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./mvnw -q -Pbench -pl pool-bench -am -DskipTests package
 * java -cp 'pool-bench/target/pool-bench.jar:pool-bench/target/lib/*' io.poolkit.bench.ssh.SshBench --seconds 10 --callers 1,8,32
 * </pre>
 */
public final class SshBench {
    private SshBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = 10;
        List<Integer> callers = List.of(1, 8, 32);
        String command = "true";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--callers" -> {
                    List<Integer> c = new ArrayList<>();
                    for (String s : args[++i].split(",")) {
                        c.add(Integer.parseInt(s.trim()));
                    }
                    callers = c;
                }
                case "--command" -> command = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --seconds N --callers 1,8,32 --command CMD");
            }
        }
        Path dir = Path.of(env("POOLKIT_SSH_DIR", "/tmp/poolkit-openssh"));
        Path sshdBinary = Path.of(env("POOLKIT_SSHD", "/usr/sbin/sshd"));
        String user = env("POOLKIT_SSH_USER", "poolkit-ssh");
        if (!Files.isExecutable(sshdBinary) || !Files.exists(dir.resolve("client_ed25519"))) {
            System.err.println("OpenSSH or its material missing (" + sshdBinary + ", " + dir + "): run `bash .ci/services/openssh.sh` as root");
            System.exit(2);
        }
        Path work = Files.createTempDirectory("ssh-bench");
        int port = freePort();
        Process sshd = startSshd(sshdBinary, dir, work, port);
        try {
            Path knownHosts = work.resolve("known_hosts");
            String[] pub = Files.readString(dir.resolve("host_ed25519_key.pub")).trim().split("\\s+");
            Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1] + "\n");
            Path key = dir.resolve("client_ed25519");
            SshTarget target = SshTarget.of("127.0.0.1", port, user).withKey(key);
            System.out.printf(Locale.ROOT, "SSH commands per second against OpenSSH on 127.0.0.1:%d, command `%s`, %.1f s per run, %s%n",
                    port, command, seconds, Runtime.version());
            System.out.println("| callers | pooled (cmd/s) | new connection per command (cmd/s) | ratio |");
            System.out.println("|---:|---:|---:|---:|");
            for (int n : callers) {
                double pooled = pooled(target, knownHosts, n, seconds, command);
                double unpooled = unpooled(port, user, key, knownHosts, n, seconds, command);
                System.out.printf(Locale.ROOT, "| %d | %.0f | %.1f | %.1fx |%n", n, pooled, unpooled, pooled / unpooled);
            }
        } finally {
            sshd.descendants().forEach(ProcessHandle::destroy);
            sshd.destroy();
            sshd.waitFor(5, TimeUnit.SECONDS);
        }
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Process startSshd(Path binary, Path dir, Path work, int port) throws Exception {
        Path config = work.resolve("sshd_config");
        Files.writeString(config, "ListenAddress 127.0.0.1\nHostKey " + dir.resolve("host_ed25519_key") + "\nAuthorizedKeysFile "
                + dir.resolve("authorized_keys") + "\nPidFile none\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
                + "KbdInteractiveAuthentication no\nMaxSessions 10\nMaxStartups 200:30:400\nLogLevel ERROR\n"
                + "Subsystem sftp internal-sftp\n");
        Process p = new ProcessBuilder(binary.toString(), "-D", "-e", "-f", config.toString(), "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(work.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return p;
            } catch (IOException e) {
                Thread.onSpinWait();
            }
        }
        throw new IllegalStateException("sshd did not start: " + Files.readString(work.resolve("sshd.log")));
    }

    /** Runs {@code body} on {@code n} threads for {@code seconds}; returns completed calls per second. */
    static double run(int n, double seconds, Body body) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try {
                    while (System.nanoTime() < end && failure.get() == null) {
                        body.call();
                        done.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "ssh-bench-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis((long) seconds + 120));
            if (t.isAlive()) {
                throw new IllegalStateException(t.getName() + " still running");
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a caller failed", failure.get());
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    interface Body {
        void call() throws Exception;
    }

    private static double pooled(SshTarget target, Path knownHosts, int n, double seconds, String command) throws Exception {
        try (SshPool ssh = SshPool.builder().name("bench").knownHosts(knownHosts).maxChannelsPerConnection(8)
                .maxConnectionsPerTarget(Math.max(1, (n + 7) / 8)).heartbeatInterval(Pool.FOREVER).build()) {
            ssh.warm(target, 1);
            run(n, Math.min(1, seconds), () -> check(ssh.exec(target, command, Duration.ofSeconds(30)))); // warm-up
            return run(n, seconds, () -> check(ssh.exec(target, command, Duration.ofSeconds(30))));
        }
    }

    private static void check(CommandResult r) {
        if (!r.isSuccess()) {
            throw new IllegalStateException("command failed: " + r + " " + r.stderr());
        }
    }

    private static double unpooled(int port, String user, Path key, Path knownHosts, int n, double seconds, String command)
            throws Exception {
        KeyPair pair;
        try (var in = Files.newInputStream(key)) {
            pair = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(key.toString()), in, FilePasswordProvider.EMPTY)
                    .iterator().next();
        }
        SshClient client = SshClient.setUpDefaultClient();
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, knownHosts));
        client.start();
        try {
            Body once = () -> {
                try (ClientSession session = client.connect(user, "127.0.0.1", port).verify(Duration.ofSeconds(30)).getSession()) {
                    session.addPublicKeyIdentity(pair);
                    session.auth().verify(Duration.ofSeconds(30));
                    try (ChannelExec exec = session.createExecChannel(command)) {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        exec.setOut(out);
                        exec.setErr(out);
                        exec.open().verify(Duration.ofSeconds(30));
                        exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(30));
                        Integer status = exec.getExitStatus();
                        if (status == null || status != 0) {
                            throw new IllegalStateException("exit " + status + ": " + out.toString(StandardCharsets.UTF_8));
                        }
                    }
                }
            };
            run(n, Math.min(1, seconds), once); // warm-up
            return run(n, seconds, once);
        } finally {
            client.stop();
        }
    }
}
