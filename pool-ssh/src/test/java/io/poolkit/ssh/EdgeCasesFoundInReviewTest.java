package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.PoolClosedException;
import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.Test;

/** Stdin a command never reads, stderr before the pid line, shutdown with commands running, execAll after close, a host known by another of its keys: found in review, each test failed before its fix. */
class EdgeCasesFoundInReviewTest extends SshTestBase {

    /** A command that never reads its stdin, given more stdin than the SSH windows hold: exec must still time out. */
    @Test
    void largeStdinToACommandThatNeverReadsItStillTimesOut() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        ssh.warm(t, 1);
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                ssh.exec(t, "sleep 35", new byte[16 << 20], Duration.ofSeconds(1));
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        Throwable e = outcome.get(15, TimeUnit.SECONDS); // TimeoutException here: exec hung past its 1 s timeout
        assertThat(e).isInstanceOf(CommandTimeoutException.class);
    }

    /**
     * sshd (or the login shell's rc files) can write to the channel's stderr before the wrapper runs:
     * "Could not chdir to home directory ...", "bash: warning: setlocale ...". The wrapper's line must
     * still be taken out, and the pid still learned.
     */
    @Test
    void stderrBeforeTheWrapperLineDoesNotLeakTheMarker() throws Exception {
        EmbeddedSshServer server = server();
        server.rewriteCommands(command -> "echo 'Could not chdir to home directory /home/x' >&2; " + command);
        SshPool ssh = pool(builder(server));
        CommandResult r = ssh.exec(server.target(), "echo err >&2", Duration.ofSeconds(10));
        assertThat(r.stderr()).isEqualTo("Could not chdir to home directory /home/x\nerr\n");
    }

    /** close() ends everything: a command still running when the shutdown grace ends is stopped on the host. */
    @Test
    void aCommandStillRunningAtShutdownIsStoppedOnTheHost() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        ssh.warm(t, 1);
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                ssh.exec(t, "sleep 36", Duration.ofSeconds(50));
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        Await.until(() -> server.started("sleep 36"), () -> "started");
        long pid = server.pidOf("sleep 36");
        ssh.shutdown(Duration.ofMillis(300));
        Throwable e = outcome.get(10, TimeUnit.SECONDS);
        assertThat(e).isInstanceOf(SshException.class).hasMessageContaining("the command was stopped");
        Await.until(() -> !EmbeddedSshServer.alive(pid), () -> "the remote command was stopped: pid " + pid + " still runs");
    }

    /** execAll on a closed pool: a clear PoolClosedException (or a failed result per host), not the executor's rejection. */
    @Test
    void execAllAfterCloseSaysThePoolIsClosed() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        ssh.exec(t, "true", Duration.ofSeconds(10));
        ssh.close();
        try {
            Map<SshTarget, CommandResult> all = ssh.execAll(List.of(t), "true", Duration.ofSeconds(5));
            assertThat(all.get(t).failure()).get().isInstanceOf(PoolClosedException.class);
        } catch (RuntimeException e) {
            assertThat(e).isInstanceOf(PoolClosedException.class);
        }
    }

    /**
     * Where the wrapper never runs (a ForceCommand session), stderr that happens to start like the
     * marker, and ends before a newline, must still reach the caller.
     */
    @Test
    void stderrThatIsAPrefixOfTheMarkerIsNotLost() throws Exception {
        EmbeddedSshServer server = server();
        server.rewriteCommands(command -> "printf po >&2"); // like ForceCommand
        SshPool ssh = pool(builder(server));
        CommandResult r = ssh.exec(server.target(), "anything", Duration.ofSeconds(10));
        assertThat(r.stderr()).isEqualTo("po");
    }

    /** equals and hashCode agree (the host is compared case-insensitively), even for letters whose cases do not round-trip. */
    @Test
    void equalTargetsHaveEqualHashCodes() {
        assertThat(SshTarget.of("Web1.Example.COM", 22, "u")).isEqualTo(SshTarget.of("web1.example.com", 22, "u"))
                .hasSameHashCodeAs(SshTarget.of("web1.example.com", 22, "u"));
        SshTarget a = SshTarget.of("\u0131", 22, "u"); // dotless i: equalsIgnoreCase("\u0131", "i") was true, the hashes differed
        SshTarget b = SshTarget.of("i", 22, "u");
        assertThat(a.equals(b)).as("equal only with equal hash codes").isEqualTo(a.hashCode() == b.hashCode());
    }

    /** An interrupt while exec writes stdin the command does not read must end exec with InterruptedException. */
    @Test
    void anInterruptWhileStdinIsWrittenEndsExec() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        ssh.warm(t, 1);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                ssh.exec(t, "sleep 37", new byte[16 << 20], Duration.ofSeconds(40));
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        caller.start();
        Await.until(() -> server.started("sleep 37"), () -> "started");
        Await.until(() -> caller.getState() == Thread.State.WAITING || caller.getState() == Thread.State.TIMED_WAITING,
                () -> "the caller waits: " + caller.getState());
        caller.interrupt();
        Throwable e = outcome.get(8, TimeUnit.SECONDS); // TimeoutException: the interrupt was swallowed
        assertThat(e).isInstanceOf(InterruptedException.class);
        caller.join(5_000);
        assertThat(caller.isAlive()).isFalse();
    }

    /** An exec interrupted while it waits for a channel is counted as a failure, like one interrupted while it runs. */
    @Test
    void anExecInterruptedWhileWaitingForAChannelIsCounted() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).maxConnectionsPerTarget(1).maxChannelsPerConnection(1));
        SshTarget t = server.target();
        CompletableFuture<CommandResult> busy = CompletableFuture.supplyAsync(() -> {
            try {
                return ssh.exec(t, "sleep 2", Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until(() -> server.started("sleep 2"), () -> "started");
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                ssh.exec(t, "echo waited", Duration.ofSeconds(10));
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        caller.start();
        Await.until(() -> ssh.stats(t).waiting() == 1, () -> "waiting for a channel");
        caller.interrupt();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        busy.get(10, TimeUnit.SECONDS);
        assertThat(ssh.stats(t).failures()).isEqualTo(1);
    }

    /**
     * A host with several host keys (Debian's sshd has RSA, ECDSA and Ed25519) whose known_hosts entry
     * has one of them (the one OpenSSH recorded): the host is known, its key unchanged.
     */
    @Test
    void aHostKnownByOneOfItsKeysIsAccepted() throws Exception {
        java.security.KeyPair ed = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        EmbeddedSshServer server = server(EmbeddedSshServer.builder().alsoHostKey(ed));
        Path knownHosts = dir.resolve("ed25519_known_hosts");
        EmbeddedSshServer.append(knownHosts, EmbeddedSshServer.knownHostsLine(server.port(), ed.getPublic()));
        SshPool ssh = pool(builder());
        SshTarget t = track(server.target().withHostKeyPolicy(HostKeyPolicy.knownHosts(knownHosts)));
        assertThat(ssh.exec(t, "echo ok", Duration.ofSeconds(10)).stdout()).isEqualTo("ok\n");
    }
}
