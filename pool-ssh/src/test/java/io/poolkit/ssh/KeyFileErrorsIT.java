package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A key file that cannot be used is what a new user meets first: the error names the file and says
 * what is wrong with it (missing, encrypted without a passphrase, a passphrase that does not open it,
 * not a private key), at once, and never quotes the passphrase.
 */
class KeyFileErrorsIT extends OpenSshTestBase {
    private static final String PASSPHRASE = "s3cret-Passphrase-77";

    private static void sshKeygen(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "ssh-keygen";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private void failsNaming(SshPool ssh, SshTarget t, Path file, String why) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> ssh.exec(track(t), "true", Duration.ofSeconds(10)))
                .isInstanceOf(SshAuthenticationException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(why)
                .satisfies(e -> assertThat(e.toString()).doesNotContain(PASSPHRASE).doesNotContain("Passphrase-77"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void eachUnusableKeyFileIsNamedWithWhatIsWrong() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        Path missing = work.resolve("no_such_key");
        failsNaming(ssh, sshd.target().withKey(missing), missing, "does not exist");

        Path encrypted = work.resolve("encrypted_key");
        Files.copy(OpenSsh.DIR.resolve("client_ed25519"), encrypted);
        sshKeygen("-q", "-p", "-N", PASSPHRASE, "-f", encrypted.toString());
        failsNaming(ssh, sshd.target().withKey(encrypted), encrypted, "encrypted");
        failsNaming(ssh, sshd.target().withKey(encrypted, "wrong-passphrase".toCharArray()), encrypted, "passphrase");
        assertThat(ssh.exec(track(sshd.target().withKey(encrypted, PASSPHRASE.toCharArray())), "echo in").stdout()).isEqualTo("in\n");

        Path pem = work.resolve("pem_key");
        sshKeygen("-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", PASSPHRASE, "-f", pem.toString());
        failsNaming(ssh, sshd.target().withKey(pem), pem, "encrypted");
        failsNaming(ssh, sshd.target().withKey(pem, "wrong-passphrase".toCharArray()), pem, "passphrase");

        Path junk = work.resolve("not_a_key");
        Files.writeString(junk, "not a key\n");
        failsNaming(ssh, sshd.target().withKey(junk), junk, "no private key");
        failsNaming(ssh, sshd.target().withKey(OpenSsh.DIR.resolve("client_ed25519.pub")), OpenSsh.DIR.resolve("client_ed25519.pub"),
                "no private key");
    }
}
