package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.junit.jupiter.api.Test;

/** Host keys are verified; secrets never show. */
class SecurityTest extends SshTestBase {

    @Test
    void anUnknownHostKeyIsRejectedWithAClearErrorAtOnce() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder()); // trusts nobody
        long start = System.nanoTime();
        assertThatThrownBy(() -> ssh.exec(track(server.target()), "true", Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(HostKeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HostKeyException.Reason.UNKNOWN);
                    assertThat(e.getMessage()).contains("is unknown", "[127.0.0.1]:" + server.port(), "ecdsa-sha2-nistp256 SHA256:",
                            "known_hosts", "ssh-keyscan -p " + server.port());
                    assertThat(e.keyFingerprint()).startsWith("ecdsa-sha2-nistp256 SHA256:");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not at the acquire deadline").isLessThan(Duration.ofSeconds(5));
        assertThat(server.commands()).isEmpty();
    }

    @Test
    void aChangedHostKeyIsRejected() throws Exception {
        EmbeddedSshServer server = server();
        Path knownHosts = dir.resolve("changed_known_hosts");
        EmbeddedSshServer.append(knownHosts, EmbeddedSshServer.knownHostsLine(server.port(), EmbeddedSshServer.newKeyPair().getPublic()));
        SshPool ssh = pool(builder());
        SshTarget t = track(server.target().withHostKeyPolicy(HostKeyPolicy.knownHosts(knownHosts)));
        assertThatThrownBy(() -> ssh.exec(t, "true", Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(HostKeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HostKeyException.Reason.CHANGED);
                    assertThat(e.getMessage()).contains("has CHANGED", "intercepting");
                });
        assertThat(server.commands()).isEmpty();
    }

    @Test
    void trustOnFirstUseRecordsTheKeyLogsItAndStillRejectsAChange() throws Exception {
        EmbeddedSshServer server = server();
        Path knownHosts = dir.resolve("tofu_known_hosts");
        List<String> trusted = new CopyOnWriteArrayList<>();
        SshPool ssh = pool(builder().listener(new SshPoolListener() {
            @Override
            public void hostKeyTrusted(SshTarget target, String keyFingerprint) {
                trusted.add(keyFingerprint);
            }
        }));
        SshTarget t = track(server.target().withHostKeyPolicy(HostKeyPolicy.trustOnFirstUse(knownHosts)));
        assertThat(ssh.exec(t, "echo hi", Duration.ofSeconds(10)).stdout()).isEqualTo("hi\n");
        assertThat(trusted).hasSize(1);
        assertThat(Files.readString(knownHosts)).contains(String.valueOf(server.port()));

        // the same file, strict now: the recorded key is trusted
        SshPool strict = pool(builder().knownHosts(knownHosts));
        SshTarget plain = track(server.target());
        assertThat(strict.exec(plain, "echo again", Duration.ofSeconds(10)).stdout()).isEqualTo("again\n");

        // a server on the same port with another key: a change, rejected even under trust-on-first-use
        int port = server.port();
        server.close();
        EmbeddedSshServer imposter = EmbeddedSshServer.start();
        try {
            SshTarget other = track(SshTarget.of("127.0.0.1", imposter.port(), EmbeddedSshServer.USER).withKey(EmbeddedSshServer.sharedClientKey())
                    .withHostKeyPolicy(HostKeyPolicy.trustOnFirstUse(knownHosts)));
            EmbeddedSshServer.append(knownHosts, EmbeddedSshServer.knownHostsLine(imposter.port(), EmbeddedSshServer.newKeyPair().getPublic()));
            assertThatThrownBy(() -> ssh.exec(other, "true", Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(HostKeyException.class, e -> assertThat(e.reason()).isEqualTo(HostKeyException.Reason.CHANGED));
        } finally {
            imposter.close();
        }
        assertThat(port).isPositive();
    }

    @Test
    void aWrongPasswordFailsAtOnceAndNeverShowsThePassword() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        char[] wrong = "not-the-Pa55word!".toCharArray();
        SshTarget t = track(SshTarget.of("127.0.0.1", server.port(), EmbeddedSshServer.USER).withPassword(wrong));
        assertThatThrownBy(() -> ssh.exec(t, "true", Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(SshAuthenticationException.class, e -> {
                    assertThat(e.getMessage()).contains("refused the password", t.credentialFingerprint().substring(0, 8))
                            .doesNotContain("not-the-Pa55word!");
                });
    }

    @Test
    void aPasswordAuthenticates() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = SshTarget.of("127.0.0.1", server.port(), EmbeddedSshServer.USER).withPassword(EmbeddedSshServer.PASSWORD.toCharArray());
        assertThat(ssh.exec(t, "echo pw", Duration.ofSeconds(10)).stdout()).isEqualTo("pw\n");
    }

    @Test
    void anEncryptedKeyFileAuthenticatesWithItsPassphrase() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        Path keyFile = writeKey(EmbeddedSshServer.sharedClientKey(), "correct horse battery");
        SshTarget t = SshTarget.of("127.0.0.1", server.port(), EmbeddedSshServer.USER).withKey(keyFile, "correct horse battery".toCharArray());
        assertThat(ssh.exec(t, "echo key", Duration.ofSeconds(10)).stdout()).isEqualTo("key\n");
        SshTarget wrong = track(SshTarget.of("127.0.0.1", server.port(), EmbeddedSshServer.USER).withKey(keyFile, "wrong passphrase".toCharArray()));
        assertThatThrownBy(() -> ssh.exec(wrong, "true", Duration.ofSeconds(10))).isInstanceOf(SshAuthenticationException.class)
                .satisfies(e -> assertThat(e.toString()).doesNotContain("wrong passphrase", "correct horse"));
    }

    private Path writeKey(KeyPair pair, String passphrase) throws Exception {
        Path file = dir.resolve("id_ed25519");
        OpenSSHKeyEncryptionContext enc = new OpenSSHKeyEncryptionContext();
        enc.setPassword(passphrase);
        enc.setCipherName("AES");
        enc.setCipherMode("CTR");
        enc.setCipherType("256");
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "test", enc, out);
        }
        return file;
    }

    @Test
    void theCredentialFingerprintIsAnHmacNotTheSecretNorItsPlainHash() throws Exception {
        char[] pw = "s3cr3t-pw".toCharArray();
        SshTarget a = SshTarget.of("h", 22, "u").withPassword(pw);
        SshTarget b = SshTarget.of("H", 22, "u").withPassword("s3cr3t-pw".toCharArray());
        SshTarget c = SshTarget.of("h", 22, "u").withPassword("other".toCharArray());
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("s3cr3t-pw".getBytes(StandardCharsets.UTF_8)));
        assertThat(sha256).doesNotContain(a.credentialFingerprint());
        assertThat(a.toString()).doesNotContain("s3cr3t-pw").contains("u@h:22", "password");
        pw[0] = 'X'; // the target keeps its own copy
        assertThat(a).isEqualTo(b);
    }

    @Test
    void secretsAppearInNoLogLineExceptionEventOrToString() throws Exception {
        EmbeddedSshServer server = server();
        String password = "Zebra-Quartz-9931";
        String passphrase = "Lantern-Pebble-5522";
        List<String> events = new CopyOnWriteArrayList<>();
        SshPoolListener recorder = new SshPoolListener() {
            @Override
            public void connectionFailed(SshTarget target, Throwable failure) {
                events.add(target + " " + failure);
            }

            @Override
            public void connectionOpened(SshTarget target) {
                events.add(target.toString());
            }

            @Override
            public void commandFinished(SshTarget target, CommandResult result) {
                events.add(target + " " + result);
            }
        };
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        try {
            SshPool ssh = pool(builder(server).listener(recorder));
            SshTarget good = SshTarget.of("127.0.0.1", server.port(), EmbeddedSshServer.USER).withPassword(EmbeddedSshServer.PASSWORD.toCharArray());
            SshTarget bad = track(SshTarget.of("127.0.0.1", server.port(), EmbeddedSshServer.USER).withPassword(password.toCharArray()));
            Path keyFile = writeKey(EmbeddedSshServer.newKeyPair(), passphrase);
            SshTarget badKey = track(SshTarget.of("127.0.0.1", server.port(), EmbeddedSshServer.USER).withKey(keyFile, passphrase.toCharArray()));
            seen.append(ssh.exec(good, "echo ok", Duration.ofSeconds(10))).append(good).append(bad).append(badKey).append(ssh);
            for (SshTarget t : List.of(bad, badKey)) {
                try {
                    ssh.exec(t, "true", Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                    java.io.StringWriter w = new java.io.StringWriter();
                    e.printStackTrace(new java.io.PrintWriter(w));
                    seen.append(w);
                }
            }
            seen.append(ssh.stats(bad)).append(ssh.stats(good));
        } finally {
            System.setErr(original);
        }
        String all = seen + "\n" + String.join("\n", events) + "\n" + captured.toString(StandardCharsets.UTF_8);
        assertThat(all).contains("test-ssh"); // something was logged and recorded
        assertThat(all).doesNotContain(password, passphrase, EmbeddedSshServer.PASSWORD);
    }

    /** Writes to two streams. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            a.write(c);
            synchronized (b) {
                b.write(c);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }
    }
}
