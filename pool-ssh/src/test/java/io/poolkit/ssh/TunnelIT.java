package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How a forwarded connection ends, through the real OpenSSH sshd: OpenSSH forwards a destination's end
 * of output as the channel's EOF and closes the channel only once both directions ended, so each side's
 * half-close must reach the other on its own, and no byte may be lost at either end.
 */
class TunnelIT extends OpenSshTestBase {

    private static Socket connect(Tunnel t) throws IOException {
        Socket s = new Socket();
        s.connect(t.localAddress(), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /**
     * The destination answers and half-closes (end of output) but keeps reading: the client must see the
     * end of the answer while it can still send. Before, the relay passed the end on only when the channel
     * closed, which OpenSSH does not do while the client's direction is open: the client's read hung.
     */
    @Test
    void theDestinationsHalfCloseReachesTheClientWhichCanStillSend() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        CompletableFuture<String> heardAfterItsEnd = new CompletableFuture<>();
        try (Destination d = Destination.start(s -> {
            s.getOutputStream().write("first\nsecond\n".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            heardAfterItsEnd.complete(line(s.getInputStream()));
        }); Tunnel tunnel = ssh.forward(t, "127.0.0.1", d.port())) {
            try (Socket c = connect(tunnel)) {
                assertThat(new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("first\nsecond\n");
                c.getOutputStream().write("after your end\n".getBytes(StandardCharsets.UTF_8));
                c.getOutputStream().flush();
                assertThat(heardAfterItsEnd.get(10, TimeUnit.SECONDS)).isEqualTo("after your end");
            }
            Await.until(() -> tunnel.connections() == 0, () -> "the forwarded connection ended: " + tunnel);
            assertThat(d.failures()).isEmpty();
        }
        Await.until(() -> ssh.stats(t).connectionsInUse() == 0, () -> "the hold came back: " + ssh.stats(t));
    }

    /**
     * The client sends 4 MiB and half-closes; the destination reads to the end, answers with their
     * SHA-256 and 4 MiB of its own, and closes: every byte arrives both ways, then the end.
     */
    @Test
    void theClientsHalfCloseReachesTheDestinationAndTheWholeAnswerComesBack() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        byte[] request = Destination.bytes(4 << 20);
        byte[] answer = Destination.bytes((4 << 20) + 1);
        try (Destination d = Destination.start(s -> {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(s.getInputStream().readAllBytes());
            s.getOutputStream().write((HexFormat.of().formatHex(md.digest()) + "\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(answer);
        }); Tunnel tunnel = ssh.forward(t, "127.0.0.1", d.port())) {
            try (Socket c = connect(tunnel)) {
                CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                    try {
                        return c.getInputStream().readAllBytes();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                c.getOutputStream().write(request);
                c.shutdownOutput();
                byte[] got = received.get(30, TimeUnit.SECONDS);
                String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(request));
                assertThat(new String(got, 0, 65, StandardCharsets.US_ASCII)).isEqualTo(sha + "\n");
                assertThat(got.length - 65).as("answer bytes").isEqualTo(answer.length);
                assertThat(Arrays.equals(got, 65, got.length, answer, 0, answer.length)).isTrue();
            }
            Await.until(() -> tunnel.connections() == 0, () -> "the forwarded connection ended: " + tunnel);
            assertThat(d.failures()).isEmpty();
        }
        Await.until(() -> ssh.stats(t).connectionsInUse() == 0, () -> "the hold came back: " + ssh.stats(t));
    }

    /**
     * A client that asks and closes without reading the answer: the destination's stream is ended (its
     * writes fail), the forwarded connection and the SSH hold are gone, and the SSH connection still
     * serves the next one.
     */
    @Test
    void aClientThatClosesEarlyEndsTheDestinationsStreamAndTheConnectionServesTheNext() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        CompletableFuture<Throwable> destinationEnded = new CompletableFuture<>();
        try (Destination d = Destination.start(s -> {
            if (line(s.getInputStream()).equals("stream")) {
                byte[] chunk = new byte[16 * 1024];
                try {
                    for (;;) {
                        s.getOutputStream().write(chunk);
                    }
                } catch (IOException e) {
                    destinationEnded.complete(e);
                }
            } else {
                s.getOutputStream().write("pong\n".getBytes(StandardCharsets.UTF_8));
            }
        }); Tunnel tunnel = ssh.forward(t, "127.0.0.1", d.port())) {
            try (Socket c = connect(tunnel)) {
                c.getOutputStream().write("stream\n".getBytes(StandardCharsets.UTF_8));
                c.getOutputStream().flush();
                assertThat(c.getInputStream().read()).as("the stream started").isZero();
            }
            assertThat(destinationEnded.get(10, TimeUnit.SECONDS)).as("the destination's writes failed").isNotNull();
            Await.until(() -> tunnel.connections() == 0, () -> "the forwarded connection ended: " + tunnel);
            try (Socket c = connect(tunnel)) {
                c.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
                c.getOutputStream().flush();
                assertThat(line(c.getInputStream())).isEqualTo("pong");
            }
            assertThat(d.failures()).isEmpty();
        }
        Await.until(() -> ssh.stats(t).connectionsInUse() == 0, () -> "the hold came back: " + ssh.stats(t));
        assertThat(ssh.stats(t).connections().created()).isEqualTo(1);
    }
}
