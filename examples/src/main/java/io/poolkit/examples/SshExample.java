package io.poolkit.examples;

import io.poolkit.ssh.CommandResult;
import io.poolkit.ssh.SshPool;
import io.poolkit.ssh.SshTarget;
import io.poolkit.ssh.testing.EmbeddedSshServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.RequiredServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;

/**
 * An SSH pool against an in-process server: host keys verified against a known_hosts file (the
 * default), commands multiplexed as channels over a few authenticated connections.
 */
public final class SshExample {
    private SshExample() {
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedSshServer server = EmbeddedSshServer.builder().echoCommands().start();
             TempDir dir = TempDir.create("poolkit-ssh-example")) {
            try (SshPool ssh = SshPool.builder().name("ssh-example").knownHosts(server.knownHosts(dir.path())).pidWrapper(false).build()) {
                SshTarget target = SshTarget.of("127.0.0.1", server.port(), EmbeddedSshServer.USER).withKey(server.clientKey());
                CommandResult r = ssh.exec(target, "echo hello from a pooled connection", Duration.ofSeconds(10));
                System.out.printf("exit %d: %s", r.exitCode(), r.stdout());
                System.out.println("stats: " + ssh.stats(target));
            }
        }
    }

    /** The demo's stage: 200 commands from 8 threads, a new SSH connection each vs the pool. */
    static Demo.Row demoStage(Demo.Progress progress) throws Exception {
        int threads = 8;
        int perThread = progress.steps(25);
        int total = threads * perThread;
        progress.say("pool-ssh: commands on an in-process SSH server (key exchange and login per connection)");
        try (EmbeddedSshServer server = EmbeddedSshServer.builder().echoCommands().start();
             TempDir dir = TempDir.create("poolkit-ssh-demo")) {
            Path knownHosts = server.knownHosts(dir.path());
            SshTarget target = SshTarget.of("127.0.0.1", server.port(), EmbeddedSshServer.USER).withKey(server.clientKey());
            AtomicInteger done = new AtomicInteger();
            long start = System.nanoTime();
            // unpooled: what a program does without a pool: one client, a new connection and login per command
            try (SshClient client = SshClient.setUpDefaultClient()) {
                client.setServerKeyVerifier(new RequiredServerKeyVerifier(server.hostKey().getPublic()));
                client.start();
                DemoThreads.run(threads, () -> {
                    for (int i = 0; i < perThread; i++) {
                        try (ClientSession session = client.connect(EmbeddedSshServer.USER, "127.0.0.1", server.port())
                                .verify(Duration.ofSeconds(60)).getSession()) {
                            session.addPublicKeyIdentity(server.clientKey());
                            session.auth().verify(Duration.ofSeconds(60));
                            String out = session.executeRemoteCommand("echo " + i);
                            if (!out.trim().equals(String.valueOf(i))) {
                                throw new IllegalStateException("bad echo: " + out);
                            }
                        }
                        progress.update("unpooled commands", done.incrementAndGet(), total);
                    }
                });
            }
            long unpooled = (System.nanoTime() - start) / 1_000_000;
            int sessionsBefore = server.sessionsOpened();
            done.set(0);
            start = System.nanoTime();
            String stats;
            try (SshPool ssh = SshPool.builder().name("ssh").knownHosts(knownHosts).pidWrapper(false).build()) {
                DemoThreads.run(threads, () -> {
                    for (int i = 0; i < perThread; i++) {
                        check(ssh.exec(target, "echo " + i, Duration.ofSeconds(10)));
                        progress.update("pooled commands", done.incrementAndGet(), total);
                    }
                });
                stats = "opened " + (server.sessionsOpened() - sessionsBefore) + " connections for " + total
                        + " commands (unpooled: " + total + "), channels multiplexed on them";
            }
            long pooled = (System.nanoTime() - start) / 1_000_000;
            return new Demo.Row("pool-ssh", total + " commands, 8 threads", unpooled, pooled, stats);
        }
    }

    private static void check(CommandResult r) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException("command failed: " + r);
        }
    }
}
