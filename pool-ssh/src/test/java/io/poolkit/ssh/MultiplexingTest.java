package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.DestroyReason;
import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Channels shared on connections: saturation, refusals, retiring connections. */
class MultiplexingTest extends SshTestBase {

    /**
     * The target's connections created once no connect is under way. A connect started for a caller
     * who was then served by a freed channel still completes after the callers are done: counted too
     * early, it showed up later as a connection the next commands seemed to open.
     */
    private static long settledCreates(SshPool ssh, SshTarget t) {
        Await.until(() -> ssh.stats(t).connections().creating() == 0, () -> "no connect under way: " + ssh.stats(t));
        return ssh.stats(t).connections().created();
    }

    @Test
    void eightConcurrentCommandsShareOneConnection() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(8));
        SshTarget t = server.target();
        ssh.exec(t, "true", Duration.ofSeconds(10));
        CountDownLatch allRunning = new CountDownLatch(8);
        Threads.run(8, Duration.ofSeconds(30), i -> {
            allRunning.countDown();
            CommandResult r = ssh.exec(t, "sleep 0.5; echo " + i, Duration.ofSeconds(20));
            assertThat(r.stdout()).isEqualTo(i + "\n");
        });
        assertThat(settledCreates(ssh, t)).as("8 channels fit on one connection").isEqualTo(1);
    }

    @Test
    void moreCommandsThanChannelsOpenOnlyTheConnectionsTheyNeed() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(4).maxConnectionsPerTarget(10));
        SshTarget t = server.target();
        List<Integer> peak = new CopyOnWriteArrayList<>();
        Threads.run(20, Duration.ofSeconds(40), i -> {
            CommandResult r = ssh.exec(t, "sleep 0.4; echo ok", Duration.ofSeconds(30));
            peak.add(ssh.stats(t).channelsOpen());
            assertThat(r.stdout()).isEqualTo("ok\n");
        });
        long created = settledCreates(ssh, t);
        assertThat(created).as("20 callers on 4-channel connections need 5 connections, not 20").isBetween(1L, 5L);
        assertThat(peak).allSatisfy(open -> assertThat(open).isLessThanOrEqualTo((int) created * 4));
        assertThat(ssh.stats(t).commands()).isEqualTo(20);
    }

    @Test
    void aCommandBeyondTheConnectionLimitWaitsForAChannel() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(2).maxConnectionsPerTarget(1));
        SshTarget t = server.target();
        Threads.run(6, Duration.ofSeconds(30), i -> {
            assertThat(ssh.exec(t, "sleep 0.3; echo " + i, Duration.ofSeconds(20)).stdout()).isEqualTo(i + "\n");
        });
        assertThat(settledCreates(ssh, t)).isEqualTo(1);
        assertThat(server.commands()).hasSize(6);
    }

    @Test
    void aRefusedChannelLowersTheConnectionsLimitAndTheCommandRunsElsewhereOnce() throws Exception {
        EmbeddedSshServer server = server(2); // the server's MaxSessions: 2
        List<Throwable> retried = new CopyOnWriteArrayList<>();
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(8).maxConnectionsPerTarget(4).listener(new SshPoolListener() {
            @Override
            public void commandRetried(SshTarget target, Throwable cause) {
                retried.add(cause);
            }
        }));
        SshTarget t = server.target();
        Threads.run(6, Duration.ofSeconds(40), i -> {
            CommandResult r = ssh.exec(t, "sleep 0.5; echo run-" + i, Duration.ofSeconds(30));
            assertThat(r.stdout()).isEqualTo("run-" + i + "\n");
        });
        SshStats st = ssh.stats(t);
        assertThat(st.refusals()).as("the server refused beyond 2").isPositive();
        assertThat(st.channelsPerConnection()).isEqualTo(2);
        assertThat(st.retries()).as("every retry was a refusal: %s", retried).isEqualTo(st.refusals());
        assertThat(server.refused()).isEqualTo((int) st.refusals());
        Set<String> ran = new HashSet<>();
        for (String c : server.commands()) {
            assertThat(ran.add(c.substring(c.indexOf("sleep")))).as("ran once: %s", c).isTrue();
        }
        assertThat(ran).hasSize(6);
    }

    @Test
    void aRefusalOnAYoungConnectionBelowAnothersPeakDoesNotLowerTheLimitOfNewConnections() throws Exception {
        EmbeddedSshServer server = server(8);
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(4).maxConnectionsPerTarget(2));
        SshTarget t = server.target();
        Threads.run(6, Duration.ofSeconds(40), i -> {
            if (i < 4) { // four at once on the first connection: the server allows at least 4
                ssh.exec(t, "sleep 3; echo long-" + i, Duration.ofSeconds(30));
            } else if (i == 4) {
                Await.until(() -> server.commands().size() == 4, () -> "four running on the first connection: " + ssh.stats(t));
                // the second connection's first channel, confirmed before its next one is refused
                assertThat(ssh.exec(t, "sleep 2; echo second", Duration.ofSeconds(30)).stdout()).isEqualTo("second\n");
            } else {
                Await.until(() -> server.commands().size() == 5, () -> "the second connection's first command runs");
                server.refuseOnceAt(2); // like OpenSSH while it still reaps a closed session
                assertThat(ssh.exec(t, "echo retried", Duration.ofSeconds(30)).stdout()).isEqualTo("retried\n");
            }
        });
        assertThat(settledCreates(ssh, t)).isEqualTo(2);
        SshStats st = ssh.stats(t);
        assertThat(st.refusals()).isEqualTo(1);
        assertThat(st.retries()).isEqualTo(1);
        assertThat(st.channelsPerConnection())
                .as("the server confirmed 4 at once on the first connection: new connections still start with 4")
                .isEqualTo(4);
    }

    @Test
    void aNewestConnectionIsPreferredSoSurplusConnectionsGoIdle() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(2).maxConnectionsPerTarget(3));
        SshTarget t = server.target();
        Threads.run(6, Duration.ofSeconds(30), i -> ssh.exec(t, "sleep 0.3", Duration.ofSeconds(20)));
        long created = settledCreates(ssh, t);
        for (int i = 0; i < 10; i++) {
            ssh.exec(t, "true", Duration.ofSeconds(10));
        }
        assertThat(settledCreates(ssh, t)).as("sequential commands open nothing new").isEqualTo(created);
        Await.until(() -> ssh.stats(t).connectionsInUse() == 0, () -> "every connection back in the pool: " + ssh.stats(t));
    }

    @Test
    void aRetiringConnectionTakesNoNewChannelAndClosesWithItsLast() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).maxLifetime(Duration.ofMillis(600)).maxChannelsPerConnection(8));
        SshTarget t = server.target();
        CountDownLatch longOneRunning = new CountDownLatch(1);
        Threads.run(2, Duration.ofSeconds(30), i -> {
            if (i == 0) {
                longOneRunning.countDown();
                ssh.exec(t, "sleep 2", Duration.ofSeconds(20));
            } else {
                longOneRunning.await();
                Await.until(() -> ssh.stats(t).channelsOpen() == 1, () -> "the long command runs: " + ssh.stats(t));
                long born = System.nanoTime();
                // once the first connection's lifetime (minus jitter) is over, a new command goes elsewhere
                Await.until(Duration.ofSeconds(5), () -> System.nanoTime() - born > TimeUnit.MILLISECONDS.toNanos(700),
                        () -> "lifetime over");
                ssh.exec(t, "echo later", Duration.ofSeconds(10));
                assertThat(ssh.stats(t).connections().created()).as("a fresh connection").isEqualTo(2);
            }
        });
        Await.until(() -> ssh.stats(t).connections().destroyedBy(DestroyReason.LIFETIME) >= 1,
                () -> "the old connection retired with its last channel: " + ssh.stats(t));
    }
}
