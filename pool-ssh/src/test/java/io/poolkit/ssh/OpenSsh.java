package io.poolkit.ssh;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.Services;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} on a loopback port, from the material {@code .ci/services/openssh.sh}
 * prepares ({@code POOLKIT_SSH_DIR}, {@code POOLKIT_SSHD}, {@code POOLKIT_SSH_USER}); started by the
 * IT itself with its own config (MaxSessions, host key, ForceCommand), stopped with every session it
 * spawned.
 */
final class OpenSsh implements AutoCloseable {
    static final Path DIR = Path.of(env("POOLKIT_SSH_DIR", "/tmp/poolkit-openssh"));
    static final Path SSHD = Path.of(env("POOLKIT_SSHD", "/usr/sbin/sshd"));
    static final String USER = env("POOLKIT_SSH_USER", "poolkit-ssh");

    private final Path work;
    private final String hostKey;
    private final int maxSessions;
    private final String extra;
    private final int port;
    /** The address it listens on; 127.0.0.1 unless started in a network namespace. */
    private final String listen;
    /** The network namespace it runs in, or null for the test's own. */
    private final String netns;
    private Process process;

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** Skips (or, with CI=true, fails) when OpenSSH or its material is missing. */
    static void require() {
        boolean there = Files.isExecutable(SSHD) && Files.exists(DIR.resolve("host_ed25519_key"))
                && Files.exists(DIR.resolve("client_ed25519")) && Files.exists(DIR.resolve("authorized_keys"));
        Services.require(there, "OpenSSH sshd or its test material missing (" + SSHD + ", " + DIR
                + "); run `bash .ci/services/openssh.sh` as root");
    }

    private OpenSsh(Path work, String hostKey, int maxSessions, String extra, int port, String listen, String netns) {
        this.work = work;
        this.hostKey = hostKey;
        this.maxSessions = maxSessions;
        this.extra = extra;
        this.port = port;
        this.listen = listen;
        this.netns = netns;
    }

    /**
     * An sshd in network namespace {@code netns} (see {@link Netns}), listening on {@code listen} there:
     * reachable from this JVM only if that address is routed here.
     */
    static OpenSsh startIn(String netns, String listen, Path work, String extraConfig) throws Exception {
        OpenSsh s = new OpenSsh(work, "host_ed25519_key", 10, extraConfig, freePort(), listen, netns);
        s.launch();
        return s;
    }

    static OpenSsh start(Path work, int maxSessions) throws Exception {
        return start(work, "host_ed25519_key", maxSessions, "");
    }

    static OpenSsh start(Path work, String hostKey, int maxSessions, String extraConfig) throws Exception {
        OpenSsh s = new OpenSsh(work, hostKey, maxSessions, extraConfig, freePort(), "127.0.0.1", null);
        s.launch();
        return s;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void launch() throws Exception {
        Path config = work.resolve("sshd_config-" + port);
        String text = "ListenAddress " + listen + "\n"
                + "HostKey " + DIR.resolve(hostKey) + "\n"
                + "AuthorizedKeysFile " + DIR.resolve("authorized_keys") + "\n"
                + "PidFile none\n"
                + "StrictModes no\n"
                + "UsePAM no\n"
                + "PasswordAuthentication no\n"
                + "KbdInteractiveAuthentication no\n"
                + "MaxSessions " + maxSessions + "\n"
                + "MaxStartups 100:30:200\n"
                + "AllowTcpForwarding yes\n"
                + "Subsystem sftp internal-sftp\n"
                + "LogLevel VERBOSE\n"
                + extra;
        Files.writeString(config, text, StandardCharsets.UTF_8);
        java.util.List<String> command = new java.util.ArrayList<>();
        if (netns != null) {
            command.addAll(java.util.List.of("ip", "netns", "exec", netns));
        }
        command.addAll(java.util.List.of(SSHD.toString(), "-D", "-e", "-f", config.toString(), "-p", String.valueOf(port)));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("sshd-" + port + ".log").toFile()))
                .start();
        Await.until(Duration.ofSeconds(10), this::listening, () -> "sshd listening on " + port + " (log: " + log() + ")");
    }

    private boolean listening() {
        if (!process.isAlive()) {
            throw new AssertionError("sshd exited with " + process.exitValue() + ": " + log());
        }
        if (netns != null) {
            // maybe unreachable from here, on purpose: sshd says when it listens
            return log().contains("Server listening on " + listen + " port " + port);
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    String log() {
        try {
            return Files.readString(work.resolve("sshd-" + port + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    int port() {
        return port;
    }

    SshTarget target() {
        return SshTarget.of(listen, port, USER).withKey(DIR.resolve("client_ed25519"));
    }

    String host() {
        return listen;
    }

    /** A known_hosts line that trusts {@code hostKeyName}'s public key for this server. */
    String knownHostsLine(String hostKeyName) throws IOException {
        String pub = Files.readString(DIR.resolve(hostKeyName + ".pub")).trim();
        String[] parts = pub.split("\\s+");
        return "[" + listen + "]:" + port + " " + parts[0] + " " + parts[1];
    }

    /** @return whether {@code pid} is one of the processes this sshd spawned (a connection's session process) */
    boolean spawned(long pid) {
        return process != null && process.descendants().anyMatch(p -> p.pid() == pid);
    }

    /** Stops the listener and every session it spawned, as a host going down. */
    void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process = null;
    }

    /** Stops, then starts again on the same port with the same key, as {@code systemctl restart ssh}. */
    void restart() throws Exception {
        stop();
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
