package io.poolkit.ssh.testing;

import io.poolkit.ssh.SshTarget;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.ConnectionServiceRequestHandler;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.forward.DirectTcpipFactory;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * The one embedded SSH server of poolkit's tests and examples: Apache MINA SSHD on 127.0.0.1, a port
 * of its own, a generated host key, one user ({@link #USER}) who logs in with a key (and, when asked,
 * a password), SFTP on this machine's file system, and {@code direct-tcpip} to wherever the server
 * can connect (OpenSSH's {@code AllowTcpForwarding yes}, for tunnels and jump hosts). Like OpenSSH's
 * {@code MaxSessions} it refuses a session channel beyond {@code maxChannels} on one connection.
 *
 * <p>Commands run one of two ways. By default for real, as on a host: {@code setsid /bin/sh -c
 * command}, each in a session of its own, so pids, signals and kills behave as with sshd (Linux). With
 * {@link Builder#echoCommands()} they are answered in Java instead — {@code echo <text>} prints the
 * text, anything else exits 127 — which runs the same on every OS and costs no process per command
 * (the examples and the demo; a pool talking to it sets {@code pidWrapper(false)}, as nothing there
 * prints a pid).
 *
 * <p>What tests drive and watch: the commands started and their pids, keepalives answered, channels
 * refused, forwardings asked for, the SFTP subsystem (to add listeners), a command rewriter (what
 * sshd or a login shell would add, or a {@code ForceCommand}), and {@link #stop()}/{@link #restart()}
 * as a host going down and coming back on the same port with the same key.
 *
 * <p>It lives in pool-ssh's test-jar, shared by pool-ssh's tests and the examples module. It listens
 * on loopback only; with password login on, anyone on this machine who knows {@link #PASSWORD} can log
 * in while it runs, so only tests turn it on. Thread-safe.
 */
public final class EmbeddedSshServer implements AutoCloseable {
    /** The one user. */
    public static final String USER = "tester";
    /** {@link #USER}'s password, accepted only with {@link Builder#passwordLogin()}. */
    public static final String PASSWORD = "Tr0ub4dor&3-horse";

    private static KeyPair sharedClientKey;

    private final KeyPair hostKey;
    private final List<KeyPair> extraHostKeys;
    private final KeyPair clientKey;
    private final int maxChannels;
    private final boolean passwordLogin;
    private final boolean echoCommands;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final Map<String, Long> pids = new ConcurrentHashMap<>();
    private final Set<Long> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger keepalives = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger refuseOnceAt = new AtomicInteger();
    private final AtomicInteger sessionsOpened = new AtomicInteger();
    private final Map<Session, AtomicInteger> channelsOpen = new ConcurrentHashMap<>();
    private final List<String> forwarded = new CopyOnWriteArrayList<>();
    private final SftpSubsystemFactory sftp = new SftpSubsystemFactory();
    private volatile boolean refuseSignals;
    private volatile boolean allowForwarding = true;
    private volatile long holdOutputAfterExitMillis;
    private volatile UnaryOperator<String> rewrite = UnaryOperator.identity();
    private SshServer server;
    private int port;

    private EmbeddedSshServer(Builder b) throws IOException {
        this.hostKey = b.hostKey;
        this.extraHostKeys = List.copyOf(b.extraHostKeys);
        this.clientKey = b.clientKey;
        this.maxChannels = b.maxChannels;
        this.passwordLogin = b.passwordLogin;
        this.echoCommands = b.echoCommands;
        start(0);
    }

    /** @return a server with the defaults: real commands, 10 channels per connection, key login only */
    public static EmbeddedSshServer start() throws IOException, GeneralSecurityException {
        return builder().start();
    }

    public static Builder builder() throws GeneralSecurityException {
        return new Builder();
    }

    /** How the server is made; every option has a default. Not thread-safe. */
    public static final class Builder {
        private KeyPair hostKey;
        private final List<KeyPair> extraHostKeys = new ArrayList<>();
        private KeyPair clientKey;
        private int maxChannels = 10;
        private boolean passwordLogin;
        private boolean echoCommands;

        private Builder() throws GeneralSecurityException {
            hostKey = newKeyPair();
            clientKey = sharedClientKey();
        }

        /** Session channels one connection may have open at once (OpenSSH's MaxSessions); default 10. */
        public Builder maxChannels(int maxChannels) {
            if (maxChannels < 1) {
                throw new IllegalArgumentException("maxChannels must be at least 1, but was " + maxChannels);
            }
            this.maxChannels = maxChannels;
            return this;
        }

        /** The host key; default a new EC key per server. */
        public Builder hostKey(KeyPair hostKey) {
            this.hostKey = Objects.requireNonNull(hostKey, "hostKey");
            return this;
        }

        /** Another host key the server also offers (Debian's sshd has several); the client picks one. */
        public Builder alsoHostKey(KeyPair hostKey) {
            extraHostKeys.add(Objects.requireNonNull(hostKey, "hostKey"));
            return this;
        }

        /** The key {@link #USER} logs in with; default {@link #sharedClientKey()}. */
        public Builder clientKey(KeyPair clientKey) {
            this.clientKey = Objects.requireNonNull(clientKey, "clientKey");
            return this;
        }

        /** Also accepts {@link #PASSWORD} for {@link #USER}. */
        public Builder passwordLogin() {
            this.passwordLogin = true;
            return this;
        }

        /** Answers commands in Java ({@code echo <text>}; anything else exits 127) instead of running them. */
        public Builder echoCommands() {
            this.echoCommands = true;
            return this;
        }

        /** Starts the server on a free loopback port. */
        public EmbeddedSshServer start() throws IOException {
            return new EmbeddedSshServer(this);
        }
    }

    /** @return a new EC key pair (P-256): a host key, or a key nobody trusts */
    public static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    /** @return one Ed25519 client key for the whole JVM (generating one per server costs every test) */
    public static synchronized KeyPair sharedClientKey() throws GeneralSecurityException {
        if (sharedClientKey == null) {
            sharedClientKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        }
        return sharedClientKey;
    }

    private void start(int onPort) throws IOException {
        SshServer s = SshServer.setUpDefaultServer();
        s.setHost("127.0.0.1");
        s.setPort(onPort);
        KeyPair[] keys = new KeyPair[1 + extraHostKeys.size()];
        keys[0] = hostKey;
        for (int i = 1; i < keys.length; i++) {
            keys[i] = extraHostKeys.get(i - 1);
        }
        s.setKeyPairProvider(KeyPairProvider.wrap(keys));
        s.setPublickeyAuthenticator((user, key, session) -> USER.equals(user) && KeyUtils.compareKeys(key, clientKey.getPublic()));
        if (passwordLogin) {
            s.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
        }
        s.setGlobalRequestHandlers(List.of(new ConnectionServiceRequestHandler() {
            @Override
            public RequestHandler.Result process(ConnectionService connectionService, String request, boolean wantReply, Buffer buffer) {
                if (request.startsWith("keepalive@")) {
                    keepalives.incrementAndGet();
                    return RequestHandler.Result.ReplyFailure; // as OpenSSH answers an unknown global request
                }
                return RequestHandler.Result.Unsupported;
            }
        }));
        s.setChannelFactories(List.of(DirectTcpipFactory.INSTANCE, new ChannelFactory() {
            @Override
            public String getName() {
                return "session";
            }

            @Override
            public Channel createChannel(Session session) {
                return sessionChannel(session);
            }
        }));
        s.setCommandFactory((channel, command) -> {
            String c = rewrite.apply(command);
            return echoCommands ? new EchoCommand(c, commands::add) : new ShellCommand(this, c);
        });
        s.setSubsystemFactories(List.of(sftp));
        s.setForwardingFilter(new AcceptAllForwardingFilter() {
            @Override
            public boolean canConnect(TcpForwardingFilter.Type type, SshdSocketAddress address, Session session) {
                forwarded.add(address.getHostName() + ":" + address.getPort());
                return allowForwarding;
            }
        });
        s.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                sessionsOpened.incrementAndGet();
            }
        });
        s.start();
        server = s;
        port = ((InetSocketAddress) s.getBoundAddresses().iterator().next()).getPort();
    }

    /** Like OpenSSH's MaxSessions: refuses the channel (MINA's own limit would drop the whole connection). */
    private Channel sessionChannel(Session session) {
        AtomicInteger open = channelsOpen.computeIfAbsent(session, k -> new AtomicInteger());
        int n = open.incrementAndGet();
        int once = refuseOnceAt.get();
        if (n > maxChannels || once > 0 && n >= once && refuseOnceAt.compareAndSet(once, 0)) {
            open.decrementAndGet();
            refused.incrementAndGet();
            return null;
        }
        ChannelSession channel = new ShellCommand.EarlyExitChannel() {
            @Override
            protected RequestHandler.Result handleSignalParsed(String signal) throws IOException {
                if (refuseSignals) {
                    return RequestHandler.Result.ReplyFailure;
                }
                return super.handleSignalParsed(signal);
            }
        };
        channel.addCloseFutureListener(f -> open.decrementAndGet());
        return channel;
    }

    // ---- who and where ----

    public int port() {
        return port;
    }

    /** @return {@link #USER} on this server, logging in with the client key */
    public SshTarget target() {
        return SshTarget.of("127.0.0.1", port, USER).withKey(clientKey);
    }

    public KeyPair hostKey() {
        return hostKey;
    }

    public KeyPair clientKey() {
        return clientKey;
    }

    /** Writes the client key, unencrypted in OpenSSH's format, to {@code dir/id_ed25519} (owner-only) and returns it: for {@code SshTarget.withKey(Path)}. */
    public Path clientKeyFile(Path dir) throws IOException, GeneralSecurityException {
        Path f = dir.resolve("id_ed25519");
        try (OutputStream out = Files.newOutputStream(f)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(clientKey, USER, null, out);
        }
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** Writes {@code dir/known_hosts-<port>}, which trusts this server's host key, and returns it. */
    public Path knownHosts(Path dir) throws IOException {
        Path f = dir.resolve("known_hosts-" + port);
        Files.writeString(f, knownHostsLine() + "\n", StandardCharsets.UTF_8);
        return f;
    }

    /** @return the known_hosts line of this server's host key */
    public String knownHostsLine() {
        return knownHostsLine(port, hostKey.getPublic());
    }

    /** @return a known_hosts line for {@code key} at 127.0.0.1:{@code port} */
    public static String knownHostsLine(int port, PublicKey key) {
        return "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(key);
    }

    /** Appends {@code line} to {@code file}, creating it if missing. */
    public static void append(Path file, String line) throws IOException {
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    // ---- what it saw ----

    /** @return every command started so far (as run: after {@link #rewriteCommands}), live */
    public List<String> commands() {
        return commands;
    }

    /** @return the pid of every real command started, by its command line, live */
    public Map<String, Long> pids() {
        return pids;
    }

    /** @return the pid of the first command started whose line contains {@code fragment} */
    public long pidOf(String fragment) {
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            if (e.getKey().contains(fragment)) {
                return e.getValue();
            }
        }
        throw new AssertionError("no command with " + fragment + " in " + pids.keySet());
    }

    /** @return whether a command whose line contains {@code fragment} has started */
    public boolean started(String fragment) {
        return pids.keySet().stream().anyMatch(c -> c.contains(fragment));
    }

    /** @return keepalive requests answered */
    public int keepalives() {
        return keepalives.get();
    }

    /** @return session channels refused (MaxSessions, or {@link #refuseOnceAt}) */
    public int refused() {
        return refused.get();
    }

    /** @return {@code direct-tcpip} destinations asked for, as {@code host:port}, allowed or not, live */
    public List<String> forwarded() {
        return forwarded;
    }

    /** @return SSH connections accepted so far */
    public int sessionsOpened() {
        return sessionsOpened.get();
    }

    /** @return SSH connections open now */
    public int activeSessions() {
        return server.getActiveSessions().size();
    }

    /** @return the SFTP subsystem, on the real file system as this process's user: add listeners to it */
    public SftpSubsystemFactory sftp() {
        return sftp;
    }

    // ---- how it behaves ----

    /** Refuses, once, the first session channel that makes a connection's open count reach {@code n} (OpenSSH still reaping a closed session). */
    public void refuseOnceAt(int n) {
        refuseOnceAt.set(n);
    }

    /** Whether {@code signal} requests are refused, as by an sshd older than OpenSSH 7.9. */
    public void refuseSignals(boolean refuse) {
        this.refuseSignals = refuse;
    }

    /** Whether {@code direct-tcpip} is allowed (OpenSSH's AllowTcpForwarding); default yes. */
    public void allowForwarding(boolean allow) {
        this.allowForwarding = allow;
    }

    /**
     * Like OpenSSH for a command whose background child holds its stdout: the exit status goes out as
     * soon as the command's process exits, and the channel closes {@code hold} later. Zero turns it off.
     */
    public void holdOutputAfterExit(Duration hold) {
        this.holdOutputAfterExitMillis = hold.toMillis();
    }

    /** What runs instead of each command received: what sshd or the login shell adds, or a ForceCommand. */
    public void rewriteCommands(UnaryOperator<String> rewrite) {
        this.rewrite = Objects.requireNonNull(rewrite, "rewrite");
    }

    /** Stops listening and drops every connection, as a host going down. */
    public void stop() throws IOException {
        server.stop(true);
    }

    /** Starts again on the same port with the same host key, as a restarted sshd. */
    public void restart() throws IOException {
        server.stop(true);
        start(port);
    }

    /** Stops the server and kills every command still running. */
    @Override
    public void close() throws IOException {
        server.stop(true);
        for (Long pid : running) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Sends {@code signal} to the process group of {@code pid} (a command started in its own session). */
    public static void kill(long pid, String signal) {
        try {
            new ProcessBuilder("kill", "-s", signal, "--", "-" + pid).start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    // ---- for ShellCommand ----

    void started(String command, long pid) {
        commands.add(command);
        pids.put(command, pid);
        running.add(pid);
    }

    void ended(long pid) {
        running.remove(pid);
    }

    long holdOutputAfterExitMillis() {
        return holdOutputAfterExitMillis;
    }

}
