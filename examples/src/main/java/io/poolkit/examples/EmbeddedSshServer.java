package io.poolkit.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * An in-process SSH server on 127.0.0.1 (Apache MINA SSHD) for the examples: public-key login, and
 * one command, {@code echo <text>}, answered in Java so the example runs the same everywhere. It is
 * no shell, so the pools talking to it turn off the pid wrapper ({@code pidWrapper(false)}) that lets
 * SshPool kill a timed-out command on a real server.
 */
public final class EmbeddedSshServer implements AutoCloseable {
    public static final String USER = "demo";

    private final SshServer server;
    private final KeyPair hostKey;
    private final KeyPair clientKey;
    private final AtomicInteger sessions = new AtomicInteger();

    public EmbeddedSshServer() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        hostKey = ec.generateKeyPair();
        clientKey = ec.generateKeyPair();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> USER.equals(user)
                && KeyUtils.compareKeys(key, clientKey.getPublic()));
        server.setCommandFactory((channel, command) -> new Echo(command));
        // for SshTunnelExample: SFTP on this machine's file system, and direct-tcpip to wherever the
        // server can connect (a real sshd's AllowTcpForwarding yes); the server listens on loopback only
        server.setSubsystemFactories(java.util.List.of(new org.apache.sshd.sftp.server.SftpSubsystemFactory()));
        server.setForwardingFilter(org.apache.sshd.server.forward.AcceptAllForwardingFilter.INSTANCE);
        server.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
            @Override
            public void sessionCreated(org.apache.sshd.common.session.Session session) {
                sessions.incrementAndGet();
            }
        });
        server.start();
    }

    public int port() {
        return server.getPort();
    }

    /** The server's host public key. */
    public PublicKey hostKey() {
        return hostKey.getPublic();
    }

    /** The key a client logs in with. */
    public KeyPair clientKey() {
        return clientKey;
    }

    /** SSH connections opened so far. */
    public int sessionsOpened() {
        return sessions.get();
    }

    /** Writes a known_hosts file that trusts this server's host key (poolkit verifies host keys by default). */
    public Path knownHosts(Path dir) throws IOException {
        PublicKey key = hostKey.getPublic();
        Path file = dir.resolve("known_hosts");
        Files.writeString(file, "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(key) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    /** {@code echo <text>}: prints the text and exits 0; anything else exits 127. */
    private static final class Echo implements Command {
        private final String command;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        Echo(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(java.io.InputStream in) {
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            if (command.startsWith("echo ")) {
                out.write((command.substring(5) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                exit.onExit(0);
            } else {
                err.write(("unknown command: " + command + "\n").getBytes(StandardCharsets.UTF_8));
                err.flush();
                exit.onExit(127);
            }
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
