package io.poolkit.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.ConnectionServiceRequestHandler;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.forward.DirectTcpipFactory;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An embedded MINA SSH server on 127.0.0.1 for unit tests: a generated host key, one user
 * ("tester") with a key and a password, and commands run for real by {@code /bin/sh -c} in their own
 * session (setsid), so pids, signals and kills behave as on a host. Records every command it starts,
 * the pids of the ones running, and the keepalives it answers.
 */
final class TestServer implements AutoCloseable {
    static final String USER = "tester";
    static final String PASSWORD = "Tr0ub4dor&3-horse";

    final KeyPair hostKey;
    final KeyPair clientKey;
    final List<String> commands = new CopyOnWriteArrayList<>();
    final Map<String, Long> pids = new ConcurrentHashMap<>();
    final Set<Long> running = ConcurrentHashMap.newKeySet();
    final AtomicInteger keepalives = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    /** When positive: the first channel that makes a connection's open count reach it is refused, once (sessions not yet reaped). */
    final AtomicInteger refuseOnceAt = new AtomicInteger();
    private final Map<Session, AtomicInteger> sessionsOpen = new ConcurrentHashMap<>();
    volatile boolean refuseSignals;
    /** Whether direct-tcpip channels are allowed (OpenSSH's AllowTcpForwarding); each one asked for is recorded. */
    volatile boolean allowForwarding = true;
    final List<String> forwarded = new CopyOnWriteArrayList<>();
    /**
     * When positive: like OpenSSH for a command whose background child holds its stdout, the exit
     * status goes out as soon as the command's process exits, and the channel closes this many
     * milliseconds later (OpenSSH closes it when the output ends).
     */
    volatile long holdOutputAfterExitMillis;
    private final int maxChannels;
    /** The SFTP subsystem (on the real file system, as the test's user): tests add listeners to it. */
    final SftpSubsystemFactory sftp = new SftpSubsystemFactory();
    private SshServer server;
    private int port;

    TestServer(int maxChannels) throws Exception {
        this(newHostKey(), maxChannels, clientKeyPair());
    }

    TestServer(KeyPair hostKey, int maxChannels, KeyPair clientKey) throws Exception {
        this.hostKey = hostKey;
        this.clientKey = clientKey;
        this.maxChannels = maxChannels;
        start(0);
    }

    static KeyPair newHostKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static KeyPair sharedClientKey;

    static synchronized KeyPair clientKeyPair() throws Exception {
        if (sharedClientKey == null) {
            sharedClientKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        }
        return sharedClientKey;
    }

    private void start(int onPort) throws IOException {
        SshServer s = SshServer.setUpDefaultServer();
        s.setHost("127.0.0.1");
        s.setPort(onPort);
        s.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        s.setPublickeyAuthenticator((user, key, session) -> USER.equals(user) && KeyUtils.compareKeys(key, clientKey.getPublic()));
        s.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
        s.setGlobalRequestHandlers(List.of(new ConnectionServiceRequestHandler() {
            @Override
            public RequestHandler.Result process(ConnectionService connectionService, String request, boolean wantReply,
                                                 Buffer buffer) {
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
                // like OpenSSH's MaxSessions: refuse the channel (MINA's own limit drops the whole connection)
                AtomicInteger open = sessionsOpen.computeIfAbsent(session, k -> new AtomicInteger());
                int n = open.incrementAndGet();
                int once = refuseOnceAt.get();
                if (n > maxChannels || once > 0 && n >= once && refuseOnceAt.compareAndSet(once, 0)) {
                    open.decrementAndGet();
                    refused.incrementAndGet();
                    return null;
                }
                ChannelSession channel = new EarlyExitChannel() {
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
        }));
        s.setCommandFactory((channel, command) -> new ShellCommand(command));
        s.setSubsystemFactories(List.of(sftp));
        // direct-tcpip (tunnels, jump hosts), as OpenSSH's AllowTcpForwarding yes
        s.setForwardingFilter(new AcceptAllForwardingFilter() {
            @Override
            public boolean canConnect(TcpForwardingFilter.Type type, SshdSocketAddress address, Session session) {
                forwarded.add(address.getHostName() + ":" + address.getPort());
                return allowForwarding;
            }
        });
        s.start();
        server = s;
        port = ((InetSocketAddress) s.getBoundAddresses().iterator().next()).getPort();
    }

    int port() {
        return port;
    }

    /** A server session channel that can send the exit status before it closes. */
    private static class EarlyExitChannel extends ChannelSession {
        void exitStatus(int code) throws IOException {
            sendExitStatus(code);
        }
    }

    SshTarget target() {
        return SshTarget.of("127.0.0.1", port, USER).withKey(clientKey);
    }

    int activeSessions() {
        return server.getActiveSessions().size();
    }

    /** Writes a known_hosts file that trusts this server's host key. */
    Path knownHosts(Path dir) throws IOException {
        Path f = dir.resolve("known_hosts-" + port);
        Files.writeString(f, knownHostsLine(port, hostKey.getPublic()) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    static String knownHostsLine(int port, PublicKey key) {
        return "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(key);
    }

    static void append(Path file, String line) throws IOException {
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Stops listening and drops every session, as a host going down. */
    void stop() throws IOException {
        server.stop(true);
    }

    /** Starts again on the same port with the same host key, as a restarted sshd. */
    void restart() throws IOException {
        server.stop(true);
        start(port);
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
        for (Long pid : running) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** A command run by /bin/sh in its own session, its streams pumped by threads of its own. */
    private final class ShellCommand implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Process process;

        ShellCommand(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
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
            commands.add(command);
            process = new ProcessBuilder("setsid", "/bin/sh", "-c", command).start();
            long pid = process.pid();
            pids.put(command, pid);
            running.add(pid);
            env.addSignalListener((ch, signal) -> kill(pid, signal.name()));
            Thread pumpIn = pump(in, process.getOutputStream(), true);
            Thread pumpOut = pump(process.getInputStream(), out, false);
            Thread pumpErr = pump(process.getErrorStream(), err, false);
            Thread waiter = new Thread(() -> {
                try {
                    int code = process.waitFor();
                    long hold = holdOutputAfterExitMillis;
                    if (hold > 0 && channel instanceof EarlyExitChannel early) {
                        early.exitStatus(code);
                        Thread.sleep(hold); // the fake peer's own pace, not a test waiting for work
                    }
                    pumpOut.join();
                    pumpErr.join();
                    running.remove(pid);
                    pumpIn.interrupt();
                    exit.onExit(code);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    // the channel is gone: nothing to report to
                }
            }, "test-sshd-wait-" + pid);
            waiter.setDaemon(true);
            waiter.start();
        }

        private Thread pump(InputStream from, OutputStream to, boolean closeTo) {
            Thread t = new Thread(() -> {
                byte[] b = new byte[8192];
                try {
                    int n;
                    while ((n = from.read(b)) >= 0) {
                        to.write(b, 0, n);
                        to.flush();
                    }
                } catch (IOException e) {
                    // stream closed: done
                } finally {
                    if (closeTo) {
                        try {
                            to.close();
                        } catch (IOException e) {
                            // done anyway
                        }
                    }
                }
            }, "test-sshd-pump");
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void destroy(ChannelSession channel) {
            // like sshd without a PTY: closing the channel does not stop the command
        }
    }

    static void kill(long pid, String signal) {
        try {
            new ProcessBuilder("kill", "-s", signal, "--", "-" + pid).start().waitFor();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
