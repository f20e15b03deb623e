package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    /** A loopback service that echoes each line back upper-cased, one thread per connection. */
    private int echo() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeables.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    closeables.add(s);
                    Thread h = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            int b;
                            while ((b = in.read()) >= 0) {
                                out.write(Character.toUpperCase(b));
                                if (b == '\n') {
                                    out.flush();
                                }
                            }
                        } catch (IOException e) {
                            // the client went away
                        }
                    }, "echo-conn");
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "echo-accept");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
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

    @Test
    void aDeadSshConnectionUnderATunnelIsReplacedForNewConnections() throws Exception {
        EmbeddedSshServer server = server();
        int echo = echo();
        SshPool ssh = pool(builder(server).validateAfterIdle(Duration.ZERO));
        SshTarget t = server.target();
        try (Tunnel tunnel = ssh.forward(t, "127.0.0.1", echo)) {
            try (Socket a = connect(tunnel)) {
                assertThat(roundTrip(a, "before")).isEqualTo("BEFORE");
                server.restart(); // the SSH connection under the tunnel dies
                assertThat(a.getInputStream().read()).as("its forwarded connection ends").isEqualTo(-1);
            }
            try (Socket b = connect(tunnel)) {
                assertThat(roundTrip(b, "after")).isEqualTo("AFTER");
            }
        }
        assertThat(ssh.stats(t).connections().created()).isEqualTo(2);
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
