package io.poolkit.ssh.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.ssh.SshPool;
import io.poolkit.ssh.SshTarget;
import io.poolkit.ssh.TransferResult;
import io.poolkit.ssh.testing.EmbeddedSshServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The javadoc examples run against the embedded server, so they stay correct. */
@Timeout(60)
class SshSnippetsTest {
    @TempDir
    Path dir;

    @Test
    void everyJavadocExampleRuns() throws Exception {
        try (EmbeddedSshServer web1Server = EmbeddedSshServer.start(); EmbeddedSshServer appServer = EmbeddedSshServer.start()) {
            Path knownHosts = dir.resolve("known_hosts");
            EmbeddedSshServer.append(knownHosts, web1Server.knownHostsLine());
            EmbeddedSshServer.append(knownHosts, appServer.knownHostsLine());
            Path key = web1Server.clientKeyFile(dir);
            String user = EmbeddedSshServer.USER;

            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            SshSnippets.pool(knownHosts, "127.0.0.1", web1Server.port(), user, key, new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("0 ").contains("load average");

            try (SshPool ssh = SshPool.builder().name("snippets").knownHosts(knownHosts).build()) {
                SshTarget web1 = SshSnippets.target("127.0.0.1", web1Server.port(), user, key);
                assertThat(ssh.exec(web1, "echo hi", Duration.ofSeconds(10)).stdout()).isEqualTo("hi\n");

                SshTarget app = SshSnippets.via("127.0.0.1", web1Server.port(), "127.0.0.1", appServer.port(), user, key);
                assertThat(ssh.exec(app, "echo through the bastion", Duration.ofSeconds(10)).stdout()).isEqualTo("through the bastion\n");
                assertThat(web1Server.forwarded()).containsExactly("127.0.0.1:" + appServer.port());

                Path jar = Files.write(dir.resolve("app.jar"), new byte[] {1, 2, 3, 4, 5});
                Path remoteDir = Files.createDirectory(dir.resolve("opt-app"));
                printed.reset();
                TransferResult up = SshSnippets.upload(ssh, web1, jar, remoteDir.resolve("app.jar").toString(),
                        new PrintStream(printed, true, StandardCharsets.UTF_8));
                assertThat(up.bytes()).isEqualTo(5);
                assertThat(Files.readAllBytes(remoteDir.resolve("app.jar"))).containsExactly(1, 2, 3, 4, 5);
                assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("5 bytes in ");

                printed.reset();
                SshSnippets.sftp(ssh, web1, remoteDir.toString(), new PrintStream(printed, true, StandardCharsets.UTF_8));
                assertThat(printed.toString(StandardCharsets.UTF_8)).contains("app.jar 5");

                List<String> urls = new ArrayList<>();
                try (ServerSocket db = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    CompletableFuture<Integer> answered = CompletableFuture.supplyAsync(() -> answerOneByte(db));
                    SshSnippets.tunnel(ssh, web1, "127.0.0.1", db.getLocalPort(), url -> {
                        urls.add(url);
                        int port = Integer.parseInt(url.replaceAll(".*:(\\d+)/app", "$1"));
                        assertThat(roundTrip(port)).as("a byte through the tunnel and back").isEqualTo(42);
                    });
                    assertThat(answered.get(10, TimeUnit.SECONDS)).isEqualTo(42);
                }
                assertThat(urls).singleElement().asString().matches("jdbc:postgresql://127\\.0\\.0\\.1:\\d+/app");

                assertThat(SshSnippets.withSession(ssh, web1)).startsWith("SSH-2.0-");
            }
        }
    }

    /** The "database": accepts one connection and echoes one byte. */
    private static int answerOneByte(ServerSocket db) {
        try (Socket s = db.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            int b = in.read();
            out.write(b);
            out.flush();
            return b;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int roundTrip(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(42);
            s.getOutputStream().flush();
            return s.getInputStream().read();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
