package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The pool connects to exactly the target it is given, as the user and with the credential the target
 * names, whatever the process user's {@code ~/.ssh/config} says: MINA's client reads that file by
 * default (HostName, IdentityFile, ProxyJump), which would send a pooled connection elsewhere or
 * offer other keys. Each case runs a pool in a JVM of its own whose {@code user.home} holds such a
 * config.
 */
class UserSshConfigIT extends OpenSshTestBase {

    private String runChild(Path home, OpenSsh sshd, String command) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"),
                ChildPool.class.getName(), sshd.host(), String.valueOf(sshd.port()), OpenSsh.USER,
                OpenSsh.DIR.resolve("client_ed25519").toString(), knownHosts.toString(), command)
                .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("child.log").toFile()))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child ended").isTrue();
        return out;
    }

    private Path homeWithConfig(String config) throws Exception {
        Path home = Files.createDirectories(work.resolve("home-" + System.nanoTime()));
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(ssh.resolve("config"), config);
        return home;
    }

    @Test
    void aHostNameInTheUsersSshConfigDoesNotRedirectThePool() throws Exception {
        OpenSsh sshd = sshd(10);
        EmbeddedSshServer.append(knownHosts, sshd.knownHostsLine("host_ed25519_key"));
        // nothing listens on 127.0.0.9: a pool that follows the config cannot connect
        Path home = homeWithConfig("Host " + sshd.host() + "\n  HostName 127.0.0.9\n");
        assertThat(runChild(home, sshd, "echo reached")).as("log: %s", Files.readString(work.resolve("child.log")))
                .isEqualTo("result: reached\n");
    }

    @Test
    void aProxyJumpInTheUsersSshConfigIsNotTaken() throws Exception {
        OpenSsh sshd = sshd(10);
        EmbeddedSshServer.append(knownHosts, sshd.knownHostsLine("host_ed25519_key"));
        Path home = homeWithConfig("Host *\n  ProxyJump nobody@127.0.0.9:1\n");
        assertThat(runChild(home, sshd, "echo reached")).as("log: %s", Files.readString(work.resolve("child.log")))
                .isEqualTo("result: reached\n");
    }
}
