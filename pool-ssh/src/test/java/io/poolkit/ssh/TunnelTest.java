package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Local port forwarding over pooled connections against the embedded server and a local echo service. */
class TunnelTest extends SshTestBase {
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeEchoes() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    /** A loopback service that echoes each line back upper-cased, closed after the test. */
    private int echo() throws IOException {
        Destination d = Destination.upperCaseEcho();
        closeables.add(d);
        return d.port();
    }

    private static String roundTrip(Socket s, String line) throws IOException {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = s.getInputStream().read()) >= 0 && b != '\n') {
            sb.append((char) b);
        }
        return sb.toString();
    }

    private static Socket connect(Tunnel t) throws IOException {
        Socket s = new Socket();
        s.connect(t.localAddress(), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    @Test
    void connectionsThroughATunnelReachTheDestinationAndTakeNoSessionPermit() throws Exception {
        EmbeddedSshServer server = server();
        int echo = echo();
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(1).maxConnectionsPerTarget(1));
        SshTarget t = server.target();
        try (Tunnel tunnel = ssh.forward(t, "127.0.0.1", echo)) {
            assertThat(tunnel.localAddress().getAddress().isLoopbackAddress()).isTrue();
            assertThat(tunnel.localAddress().getPort()).isPositive();
            try (Socket a = connect(tunnel); Socket b = connect(tunnel)) {
                assertThat(roundTrip(a, "hello")).isEqualTo("HELLO");
                assertThat(roundTrip(b, "world")).isEqualTo("WORLD");
                Await.until(() -> tunnel.connections() == 2, () -> "two connections: " + tunnel);
                SshStats st = ssh.stats(t);
                assertThat(st.connectionsInUse()).as("the tunnel holds the lease: %s", st).isEqualTo(1);
                assertThat(st.channelsOpen()).as("but no session permit: %s", st).isZero();
                // the connection's only permit is free: a command runs beside the two forwarded connections
                assertThat(ssh.exec(t, "echo beside", Duration.ofSeconds(10)).stdout()).isEqualTo("beside\n");
                assertThat(roundTrip(a, "again")).isEqualTo("AGAIN");
            }
            Await.until(() -> tunnel.connections() == 0, () -> "closed by their clients: " + tunnel);
            assertThat(server.forwarded()).containsExactly("127.0.0.1:" + echo, "127.0.0.1:" + echo);
        }
        Await.until(() -> ssh.stats(t).connectionsInUse() == 0, () -> "the lease came back: " + ssh.stats(t));
        assertThat(ssh.stats(t).connections().created()).isEqualTo(1);
    }

    @Test
    void manyConcurrentConnectionsShareOneSshConnectionAndAllEnd() throws Exception {
        EmbeddedSshServer server = server();
        int echo = echo();
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(2));
        SshTarget t = server.target();
        try (Tunnel tunnel = ssh.forward(t, "127.0.0.1", echo)) {
            Threads.run(16, Duration.ofSeconds(40), i -> {
                try (Socket s = connect(tunnel)) {
                    for (int k = 0; k < 30; k++) {
                        assertThat(roundTrip(s, "c" + i + "-" + k)).isEqualTo(("c" + i + "-" + k).toUpperCase(java.util.Locale.ROOT));
                    }
                }
            });
            Await.until(() -> tunnel.connections() == 0, () -> "every forwarded connection ended: " + tunnel);
            assertThat(tunnel.accepted()).isEqualTo(16);
        }
        assertThat(ssh.stats(t).connections().created()).as("holds take no permit: one connection for 16").isEqualTo(1);
        Await.until(() -> ssh.stats(t).connectionsInUse() == 0, () -> "the lease came back: " + ssh.stats(t));
    }

    @Test
    void closingTheTunnelClosesItsListenerAndItsConnections() throws Exception {
        EmbeddedSshServer server = server();
        int echo = echo();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        Tunnel tunnel = ssh.forward(t, "127.0.0.1", echo);
        InetSocketAddress where = tunnel.localAddress();
        try (Socket a = connect(tunnel)) {
            assertThat(roundTrip(a, "x")).isEqualTo("X");
            tunnel.close();
            tunnel.close();
            assertThat(tunnel.isOpen()).isFalse();
            assertThat(a.getInputStream().read()).as("the forwarded connection ends").isEqualTo(-1);
        }
        // the JDK closes a listener whose accept is in progress a moment later: wait for the refusal
        Await.until(() -> {
            try (Socket s = new Socket()) {
                s.connect(where, 2_000);
                return false;
            } catch (IOException e) {
                return true;
            }
        }, () -> "the listener refuses connections");
        Await.until(() -> ssh.stats(t).connectionsInUse() == 0, () -> "the lease came back: " + ssh.stats(t));
    }

    /**
     * A lost SSH connection cuts its forwarded connections mid-stream: their clients get a reset, never
     * a clean end of input that would pass a cut stream for a complete one. Before, the relay closed the
     * socket as after a normal end (read() returned -1).
     */
    @Test
    void aDeadSshConnectionUnderATunnelResetsItsConnectionsAndIsReplacedForNewOnes() throws Exception {
        EmbeddedSshServer server = server();
        int echo = echo();
        SshPool ssh = pool(builder(server).validateAfterIdle(Duration.ZERO));
        SshTarget t = server.target();
        try (Tunnel tunnel = ssh.forward(t, "127.0.0.1", echo)) {
            try (Socket a = connect(tunnel)) {
                assertThat(roundTrip(a, "before")).isEqualTo("BEFORE");
                server.restart(); // the SSH connection under the tunnel dies
                assertThatThrownBy(() -> a.getInputStream().read()).as("its forwarded connection is reset")
                        .isInstanceOf(SocketException.class).hasMessageContaining("reset");
            }
            try (Socket b = connect(tunnel)) {
                assertThat(roundTrip(b, "after")).isEqualTo("AFTER");
            }
        }
        assertThat(ssh.stats(t).connections().created()).isEqualTo(2);
    }

    /**
     * The destination writes 2 MiB and closes, ten times; the server forwards them, then its EOF and its close,
     * while the client reads. Before, the relay closed the socket as soon as the channel closed: what
     * the channel had received but the relay not yet written to the socket (up to a window, 2 MiB) was
     * lost, and the client saw a clean end after fewer bytes.
     */
    @Test
    void everyByteTheDestinationSentBeforeClosingReachesTheClient() throws Exception {
        EmbeddedSshServer server = server();
        byte[] payload = Destination.bytes(2 << 20);
        Destination d = Destination.start(s -> s.getOutputStream().write(payload));
        closeables.add(d);
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        try (Tunnel tunnel = ssh.forward(t, "127.0.0.1", d.port())) {
            for (int round = 0; round < 10; round++) {
                try (Socket c = connect(tunnel)) {
                    byte[] got = c.getInputStream().readAllBytes();
                    assertThat(got.length).as("bytes received in round %d", round).isEqualTo(payload.length);
                    assertThat(Arrays.equals(got, payload)).as("the bytes sent").isTrue();
                }
            }
            Await.until(() -> tunnel.connections() == 0, () -> "the forwarded connections ended: " + tunnel);
        }
        Await.until(() -> ssh.stats(t).connectionsInUse() == 0, () -> "the hold came back: " + ssh.stats(t));
        assertThat(d.failures()).isEmpty();
    }

    /**
     * A client that sends a request, reads the first byte of the answer and closes: the destination's
     * stream ends (its writes fail once the server closed the channel), and the tunnel's connection and
     * hold are gone. The client closes once the destination's writes stall, that is once every buffer on
     * the way and the channel's window are full: the server then has a write pending on the window.
     * Before, the relay sent its CLOSE with that window still full; a closing MINA channel opens no more
     * window, and MINA's server flushes its pending write before it answers CLOSE, so neither side ever
     * closed: the destination's connection stayed open and the hold never came back (CI failed this
     * test when a loaded machine let the window fill before the client closed; it hung every time here
     * once the client waited for the stall).
     */
    @Test
    void aClientThatClosesEarlyEndsTheDestinationsConnectionAndFreesTheHold() throws Exception {
        EmbeddedSshServer server = server();
        CompletableFuture<Long> stalled = new CompletableFuture<>();
        CompletableFuture<Throwable> destinationEnded = new CompletableFuture<>();
        try (ServerSocketChannel d = ServerSocketChannel.open()) {
            d.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread destination = new Thread(() -> writeUntilFailure(d, stalled, destinationEnded), "destination");
            destination.setDaemon(true);
            destination.start();
            SshPool ssh = pool(builder(server));
            SshTarget t = server.target();
            try (Tunnel tunnel = ssh.forward(t, "127.0.0.1", ((InetSocketAddress) d.getLocalAddress()).getPort())) {
                try (Socket c = connect(tunnel)) {
                    c.getOutputStream().write('?');
                    c.getOutputStream().flush();
                    assertThat(c.getInputStream().read()).as("the answer started").isZero();
                    stalled.get(30, TimeUnit.SECONDS);
                }
                assertThat(destinationEnded.get(30, TimeUnit.SECONDS)).as("the destination's writes failed")
                        .isInstanceOf(IOException.class);
                Await.until(() -> tunnel.connections() == 0, () -> "the forwarded connection ended: " + tunnel);
            }
            Await.until(() -> ssh.stats(t).connectionsInUse() == 0, () -> "the hold came back: " + ssh.stats(t));
            destination.join(10_000);
            assertThat(destination.isAlive()).as("the destination's thread ended").isFalse();
        }
    }

    /** The window of MINA's channels (CoreModuleProperties.WINDOW_SIZE's default; the pool keeps it). */
    private static final long WINDOW = 2 << 20;

    /**
     * The destination of the early close: reads one byte, then writes zeros until a write fails. It
     * completes {@code stalled} with the bytes written once it wrote more than the channel's window and
     * its writes made no progress for a second (its socket's send buffer stayed full: the server stopped
     * reading), then goes on blocking.
     */
    private static void writeUntilFailure(ServerSocketChannel d, CompletableFuture<Long> stalled,
                                          CompletableFuture<Throwable> ended) {
        try (SocketChannel s = d.accept(); Selector selector = Selector.open()) {
            s.read(ByteBuffer.allocate(1));
            s.configureBlocking(false);
            s.register(selector, SelectionKey.OP_WRITE);
            ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
            long written = 0;
            while (!stalled.isDone()) {
                if (!chunk.hasRemaining()) {
                    chunk.clear();
                }
                int n = s.write(chunk);
                written += n;
                // past the channel's window (MINA's 2 MiB), no progress for a second: no event tells
                // that nothing more will happen
                if (n == 0 && selector.select(1_000) == 0 && written > WINDOW) {
                    stalled.complete(written);
                }
                selector.selectedKeys().clear();
            }
            s.keyFor(selector).cancel();
            selector.selectNow();
            s.configureBlocking(true);
            for (;;) {
                if (!chunk.hasRemaining()) {
                    chunk.clear();
                }
                s.write(chunk);
            }
        } catch (IOException | RuntimeException e) {
            stalled.completeExceptionally(e);
            ended.complete(e);
        }
    }

    @Test
    void aDestinationTheServerCannotReachEndsTheForwardedConnectionAndCountsStayExact() throws Exception {
        EmbeddedSshServer server = server();
        server.allowForwarding(false);
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        try (Tunnel tunnel = ssh.forward(t, "127.0.0.1", 9)) {
            try (Socket a = connect(tunnel)) {
                assertThat(a.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(tunnel.accepted()).isEqualTo(1);
        }
        Await.until(() -> ssh.stats(t).connectionsInUse() == 0, () -> "the lease came back: " + ssh.stats(t));
    }

    @Test
    void badArgumentsAreRejected() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        assertThatThrownBy(() -> ssh.forward(t, " ", 5432)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("host must not be blank, but was ' '");
        assertThatThrownBy(() -> ssh.forward(t, "db", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be between 1 and 65535, but was 0");
        assertThatThrownBy(() -> ssh.forward(t, "db", 5432, 70000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("localPort must be between 0 and 65535, but was 70000");
    }

    @Test
    void aTunnelOnAGivenLocalPortListensThere() throws Exception {
        EmbeddedSshServer server = server();
        int echo = echo();
        SshPool ssh = pool(builder(server));
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        try (Tunnel tunnel = ssh.forward(server.target(), "127.0.0.1", echo, free); Socket a = connect(tunnel)) {
            assertThat(tunnel.localAddress().getPort()).isEqualTo(free);
            assertThat(roundTrip(a, "port")).isEqualTo("PORT");
        }
    }
}
