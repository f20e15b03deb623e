package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.DestroyReason;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pooled connection whose server freezes (the sshd process serving it stopped with SIGSTOP: what a
 * hung host or a network blackhole looks like from the client) costs one caller its timeout, not every
 * caller until the heartbeat gives up on it: the connection is checked, and new calls go elsewhere.
 */
@Timeout(90)
class FrozenServerIT extends OpenSshTestBase {
    private static final Duration CALL = Duration.ofSeconds(2);
    private static final Duration CONNECT = Duration.ofSeconds(10);

    /** The sshd process serving the connection {@code echo $PPID} ran on: the parent of its shell. */
    private static long servingPid(OpenSsh sshd, CommandResult r) {
        long pid = Long.parseLong(r.stdout().trim());
        assertThat(sshd.spawned(pid)).as("pid %s is one of this sshd's processes", pid).isTrue();
        return pid;
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %s: %s", signal, pid,
                new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    }

    private static void callTimesOutNamingTheHost(SshPool ssh, SshTarget t) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> ssh.exec(t, "echo lost", CALL))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.mayHaveRun()).isFalse();
                    assertThat(e.getMessage()).contains(t.toString()).contains("did not confirm a channel within");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(CALL.plusSeconds(2));
    }

    /**
     * One pool, its first call served by a real sshd, and that call's serving sshd process, which
     * {@link #freeze} stops (SIGSTOP) and {@link #close} lets go on (SIGCONT) if frozen.
     */
    private final class Served implements AutoCloseable {
        final OpenSsh sshd;
        final SshPool ssh;
        final SshTarget t;
        final long pid;
        final Recorded events = new Recorded();
        private boolean frozen;

        Served(UnaryOperator<SshPoolBuilder> options) throws Exception {
            sshd = sshd(10);
            ssh = pool(options.apply(builder(sshd).listener(events)));
            t = sshd.target();
            pid = servingPid(sshd, ssh.exec(t, "echo $PPID", CONNECT));
        }

        Served freeze() throws Exception {
            signal("STOP", pid);
            frozen = true;
            return this;
        }

        SshStats stats() {
            return ssh.stats(t);
        }

        @Override
        public void close() throws Exception {
            if (frozen) {
                frozen = false;
                signal("CONT", pid);
            }
        }
    }

    /** The suspect events, as a listener saw them. */
    private static final class Recorded implements SshPoolListener {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void connectionSuspected(SshTarget target, String what) {
            seen.add("suspected: " + what);
        }

        @Override
        public void connectionCleared(SshTarget target) {
            seen.add("cleared");
        }

        @Override
        public void connectionUnresponsive(SshTarget target) {
            seen.add("unresponsive");
        }
    }

    private static void assertSuspects(SshStats s, long suspects, long cleared, long retired) {
        assertThat(new long[] {s.suspects(), s.suspectsCleared(), s.suspectsRetired()}).as("suspects, cleared, retired: %s", s)
                .containsExactly(suspects, cleared, retired);
    }

    /**
     * Three calls, each within its own bound, none on the frozen connection. The first may wait for a new
     * connection (a connect and a login: up to a second on a loaded 2-core machine), so its bound is wider;
     * a call sent to the frozen connection would fail whatever its bound.
     */
    private static void nextCallsGoElsewhere(SshPool ssh, OpenSsh sshd, SshTarget t, long frozen) throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(servingPid(sshd, ssh.exec(t, "echo $PPID", i == 0 ? CONNECT : CALL))).as("call %s after the timeout", i)
                    .isNotEqualTo(frozen);
        }
    }

    @Test
    void afterOneTimeoutOnAFrozenServerTheNextCallsGoElsewhereAndTheConnectionServesAgainWhenItAnswers() throws Exception {
        // a long check: the server comes back while it waits for the answer
        Served s = new Served(b -> b.maxConnectionsPerTarget(2).maxChannelsPerConnection(2).validationTimeout(Duration.ofSeconds(40)));
        try (RemoteProcess running = s.ssh.start(s.t, "echo started; sleep 1; echo survived")) {
            BufferedReader out = new BufferedReader(new InputStreamReader(running.stdout(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("started");
            assertThat(s.stats().connections().created()).isEqualTo(1);
            try (s) {
                s.freeze();
                callTimesOutNamingTheHost(s.ssh, s.t);
                nextCallsGoElsewhere(s.ssh, s.sshd, s.t, s.pid);
                assertSuspects(s.stats(), 1, 0, 0);
            }
            // the command running on the frozen connection was left alone, and ends well
            assertThat(out.readLine()).isEqualTo("survived");
            assertThat(running.waitFor(Duration.ofSeconds(20))).isTrue();
            assertThat(running.result().exitCode()).isZero();
        }
        Await.until(() -> s.stats().suspectsCleared() == 1, () -> "the connection answered its check: " + s.stats());
        // the connection answered its check: back in service, not replaced. Four commands need both connections
        Set<Long> serving = ConcurrentHashMap.newKeySet();
        Threads.run(4, Duration.ofSeconds(40), i -> serving.add(servingPid(s.sshd, s.ssh.exec(s.t, "echo $PPID; sleep 2",
                Duration.ofSeconds(20)))));
        assertThat(serving).contains(s.pid).hasSize(2);
        assertThat(s.stats().connections().created()).isEqualTo(2);
        assertThat(s.stats().connections().destroyed()).isZero();
        assertSuspects(s.stats(), 1, 1, 0);
        assertThat(s.events.seen).hasSize(2).last().isEqualTo("cleared");
    }

    // the pool's own probe of idle connections is kept out of the way: only the check after the timeout finds it
    private static SshPoolBuilder shortCheck(SshPoolBuilder b) {
        return b.validateAfterIdle(Duration.ofMinutes(5)).validationTimeout(Duration.ofMillis(500));
    }

    @Test
    void aFrozenConnectionThatDoesNotAnswerItsCheckIsRetiredAndClosed() throws Exception {
        Served s = new Served(FrozenServerIT::shortCheck);
        try (s) {
            s.freeze();
            callTimesOutNamingTheHost(s.ssh, s.t);
            nextCallsGoElsewhere(s.ssh, s.sshd, s.t, s.pid);
            Await.until(() -> s.stats().connections().destroyedByReason().getOrDefault(DestroyReason.INVALIDATED, 0L) == 1,
                    () -> "the frozen connection closed: " + s.stats());
        }
        assertThat(s.stats().connections().created()).isEqualTo(2);
        assertThat(s.ssh.exec(s.t, "echo after", CONNECT).stdout()).isEqualTo("after\n");
        assertSuspects(s.stats(), 1, 0, 1);
        assertThat(s.events.seen).hasSize(2).last().isEqualTo("unresponsive");
        assertThat(s.events.seen.get(0)).startsWith("suspected: did not confirm a channel within ");
    }

    @Test
    void aCommandStoppedOnAFrozenServerIsKilledFromAnotherConnectionAndTheNextCallsGoThere() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd).validateAfterIdle(Duration.ofMinutes(5)).validationTimeout(Duration.ofMillis(500)));
        SshTarget t = sshd.target();
        // a second connection stands by, so that the kill by pid needs no connect within killGrace
        assertThat(ssh.warm(t, 2)).isEqualTo(2);
        String marker = "sleep 6303";
        try (RemoteProcess p = ssh.start(t, "echo $PPID >&2; " + marker)) {
            // on stderr after the pool's pid line: once it is read, the pool knows the command's pid
            BufferedReader err = new BufferedReader(new InputStreamReader(p.stderr(), StandardCharsets.UTF_8));
            long frozen = Long.parseLong(err.readLine().trim());
            assertThat(sshd.spawned(frozen)).isTrue();
            signal("STOP", frozen);
            try {
                // stopped as a timeout stops a command: its signal request goes unanswered, so the connection is
                // checked, and the kill by pid goes to the other connection, as the next calls do
                p.kill();
                Await.until(() -> ProcessHandle.allProcesses().noneMatch(h -> h.info().commandLine().orElse("").contains(marker)),
                        () -> marker + " killed on the host");
                nextCallsGoElsewhere(ssh, sshd, t, frozen);
            } finally {
                signal("CONT", frozen);
            }
        }
        Await.until(() -> ssh.stats(t).connections().destroyedByReason().getOrDefault(DestroyReason.INVALIDATED, 0L) == 1,
                () -> "the frozen connection closed: " + ssh.stats(t));
        assertSuspects(ssh.stats(t), 1, 0, 1);
    }

    @Test
    void anSftpChannelNotConfirmedOnAFrozenServerSendsTheNextCallsElsewhere() throws Exception {
        try (Served s = new Served(b -> shortCheck(b.acquireTimeout(CALL))).freeze()) {
            assertThatThrownBy(() -> s.ssh.sftp(s.t).close()).isInstanceOf(SshException.class).hasMessageContaining(s.t.toString())
                    .hasMessageContaining("SFTP did not start");
            nextCallsGoElsewhere(s.ssh, s.sshd, s.t, s.pid);
            try (SftpSession sftp = s.ssh.sftp(s.t)) {
                assertThat(sftp.list("/")).isNotEmpty();
            }
            Await.until(() -> s.stats().suspectsRetired() == 1, () -> "the frozen connection retired: " + s.stats());
            assertSuspects(s.stats(), 1, 0, 1);
        }
    }

    @Test
    void aPoolShutDownWhileAFrozenConnectionIsCheckedClosesIt() throws Exception {
        try (Served s = new Served(b -> b.validateAfterIdle(Duration.ofMinutes(5)).validationTimeout(Duration.ofSeconds(40))).freeze()) {
            callTimesOutNamingTheHost(s.ssh, s.t);
            assertSuspects(s.stats(), 1, 0, 0);
            // the check waits for an answer that does not come: the shutdown does not wait for it
            long start = System.nanoTime();
            assertThat(s.ssh.shutdown(Duration.ofSeconds(10))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(s.ssh.stats().size()).as("%s", s.ssh.stats()).isZero();
            // a check the shutdown cut short neither cleared nor retired the connection
            assertSuspects(s.stats(), 1, 0, 0);
        }
    }

    private static Socket connect(Tunnel tunnel) throws Exception {
        Socket c = new Socket();
        c.connect(tunnel.localAddress(), 5_000);
        c.setSoTimeout(10_000);
        return c;
    }

    private static String upperCased(Socket c, String line) throws Exception {
        c.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        c.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    /**
     * A tunnel closed while its server is frozen: our CLOSE of the forwarded channel gets no answer. Before,
     * the channel's hold kept the connection leased until the pool shut down; now, after killGrace, the
     * channel is closed on this side alone, the connection is checked (and retired: it does not answer), and
     * the lease comes back.
     */
    @Test
    void aForwardedChannelWhoseCloseIsNotAnsweredGivesItsConnectionBackAfterKillGrace() throws Exception {
        try (Destination d = Destination.upperCaseEcho(); Served s = new Served(FrozenServerIT::shortCheck)) {
            Tunnel tunnel = s.ssh.forward(s.t, "127.0.0.1", d.port());
            try (Socket c = connect(tunnel)) {
                assertThat(upperCased(c, "through")).isEqualTo("THROUGH");
                assertThat(s.stats().connections().created()).as("the channel rides the first connection").isEqualTo(1);
                assertThat(s.stats().connectionsInUse()).isEqualTo(1);
                s.freeze();
                tunnel.close();
            }
            Await.until(Duration.ofSeconds(15), () -> s.stats().connections().leased() == 0 && s.stats().connectionsInUse() == 0,
                    () -> "the connection's lease came back: " + s.stats());
            assertThat(s.stats().closesUnanswered()).isEqualTo(1);
            assertThat(s.stats().connections().destroyedByReason()).containsEntry(DestroyReason.INVALIDATED, 1L);
            assertSuspects(s.stats(), 1, 0, 1);
            assertThat(s.events.seen).containsExactly("suspected: did not answer a forwarded channel's CLOSE within 1000 ms",
                    "unresponsive");
        }
    }

    /**
     * OpenSSH confirms a direct-tcpip channel only once it reached the destination, so an unconfirmed one
     * does not take its connection out of service; but the connection is checked all the same, so a frozen
     * server is retired after that one timeout and the tunnel's next connection rides a new one. Before, it
     * stayed in service until the heartbeat gave up on it, and every tunnel connection waited out its bound there.
     */
    @Test
    void aTunnelChannelNotConfirmedOnAFrozenServerRetiresItsConnectionAndTheNextGoesElsewhere() throws Exception {
        try (Destination d = Destination.upperCaseEcho(); Served s = new Served(b -> shortCheck(b.acquireTimeout(CALL)));
             Tunnel tunnel = s.ssh.forward(s.t, "127.0.0.1", d.port())) {
            s.freeze();
            try (Socket c = connect(tunnel)) {
                // the channel is not confirmed within the bound: the tunnel drops this connection
                assertThat(c.getInputStream().read()).isEqualTo(-1);
            } catch (SocketException reset) {
                // dropped as well
            }
            Await.until(() -> s.stats().suspectsRetired() == 1, () -> "the frozen connection retired: " + s.stats());
            try (Socket c = connect(tunnel)) {
                assertThat(upperCased(c, "elsewhere")).isEqualTo("ELSEWHERE");
            }
            assertThat(s.stats().connections().created()).isEqualTo(2);
            assertSuspects(s.stats(), 1, 0, 1);
            assertThat(s.events.seen.get(0)).startsWith("suspected: did not confirm a direct-tcpip channel to 127.0.0.1:" + d.port()
                    + " within ");
        }
    }

    /**
     * The other side of the last test: a destination slow to accept (its listener's queue full, so the
     * sshd's connect waits) also leaves the channel unconfirmed, but the server answers the check, and the
     * connection serves on: nothing is replaced. When the destination accepts at last, the server confirms
     * the channel the pool gave up: the pool closes it, and the destination's connection ends. Before, the
     * late confirmation was ignored and the forwarding stayed open on the server until its SSH connection closed.
     */
    @Test
    void aTunnelChannelNotConfirmedBecauseTheDestinationIsSlowLeavesTheConnectionInService() throws Exception {
        List<Socket> queued = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Served s = new Served(b -> shortCheck(b.acquireTimeout(CALL)));
             Tunnel tunnel = s.ssh.forward(s.t, "127.0.0.1", full.getLocalPort())) {
            fillTheAcceptQueue(full, queued);
            try (Socket c = connect(tunnel)) {
                assertThat(c.getInputStream().read()).isEqualTo(-1);
            } catch (SocketException reset) {
                // dropped as well
            }
            Await.until(() -> s.stats().suspectsCleared() == 1, () -> "the connection answered its check: " + s.stats());
            assertThat(servingPid(s.sshd, s.ssh.exec(s.t, "echo $PPID", CALL))).isEqualTo(s.pid);
            assertThat(s.stats().connections().created()).isEqualTo(1);
            assertSuspects(s.stats(), 1, 1, 0);

            // the destination accepts at last: the sshd's connect (retrying its SYN) gets through
            Set<Integer> ours = new HashSet<>();
            for (Socket q : queued) {
                ours.add(q.getLocalPort());
                q.close();
            }
            full.setSoTimeout(30_000);
            Socket fromSshd;
            do {
                fromSshd = full.accept();
            } while (ours.contains(fromSshd.getPort()));
            try (Socket d = fromSshd) {
                d.setSoTimeout(15_000);
                assertThat(d.getInputStream().read()).as("the server closed the forwarding the pool gave up").isEqualTo(-1);
            }
        } finally {
            for (Socket q : queued) {
                q.close();
            }
        }
    }

    /** Connects to {@code full} until a connect is not accepted within 500 ms: then the kernel drops new SYNs. */
    private static void fillTheAcceptQueue(ServerSocket full, List<Socket> queued) throws Exception {
        for (int i = 0; i < 16; i++) {
            Socket q = new Socket();
            try {
                q.connect(full.getLocalSocketAddress(), 500);
                queued.add(q);
            } catch (SocketTimeoutException e) {
                q.close();
                return;
            }
        }
        throw new AssertionError("the accept queue of a listener with backlog 1 took 16 connections");
    }
}
