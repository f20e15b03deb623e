package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.DestroyReason;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
        OpenSsh sshd = sshd(10);
        // a long check: the server comes back while it waits for the answer
        SshPool ssh = pool(builder(sshd).maxConnectionsPerTarget(2).maxChannelsPerConnection(2)
                .validationTimeout(Duration.ofSeconds(40)));
        SshTarget t = sshd.target();
        long frozen = servingPid(sshd, ssh.exec(t, "echo $PPID", CONNECT));
        try (RemoteProcess running = ssh.start(t, "echo started; sleep 1; echo survived")) {
            BufferedReader out = new BufferedReader(new InputStreamReader(running.stdout(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("started");
            assertThat(ssh.stats(t).connections().created()).isEqualTo(1);
            signal("STOP", frozen);
            try {
                callTimesOutNamingTheHost(ssh, t);
                nextCallsGoElsewhere(ssh, sshd, t, frozen);
            } finally {
                signal("CONT", frozen);
            }
            // the command running on the frozen connection was left alone, and ends well
            assertThat(out.readLine()).isEqualTo("survived");
            assertThat(running.waitFor(Duration.ofSeconds(20))).isTrue();
            assertThat(running.result().exitCode()).isZero();
        }
        // the connection answered its check: back in service, not replaced. Four commands need both connections
        Set<Long> serving = ConcurrentHashMap.newKeySet();
        Threads.run(4, Duration.ofSeconds(40), i -> serving.add(servingPid(sshd, ssh.exec(t, "echo $PPID; sleep 2",
                Duration.ofSeconds(20)))));
        assertThat(serving).contains(frozen).hasSize(2);
        assertThat(ssh.stats(t).connections().created()).isEqualTo(2);
        assertThat(ssh.stats(t).connections().destroyed()).isZero();
    }

    @Test
    void aFrozenConnectionThatDoesNotAnswerItsCheckIsRetiredAndClosed() throws Exception {
        OpenSsh sshd = sshd(10);
        // the pool's own probe of idle connections is kept out of the way: only the check after the timeout finds it
        SshPool ssh = pool(builder(sshd).validateAfterIdle(Duration.ofMinutes(5)).validationTimeout(Duration.ofMillis(500)));
        SshTarget t = sshd.target();
        long frozen = servingPid(sshd, ssh.exec(t, "echo $PPID", CONNECT));
        signal("STOP", frozen);
        try {
            callTimesOutNamingTheHost(ssh, t);
            nextCallsGoElsewhere(ssh, sshd, t, frozen);
            Await.until(() -> ssh.stats(t).connections().destroyedByReason().getOrDefault(DestroyReason.INVALIDATED, 0L) == 1,
                    () -> "the frozen connection closed: " + ssh.stats(t));
        } finally {
            signal("CONT", frozen);
        }
        assertThat(ssh.stats(t).connections().created()).isEqualTo(2);
        assertThat(ssh.exec(t, "echo after", CONNECT).stdout()).isEqualTo("after\n");
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
    }

    @Test
    void anSftpChannelNotConfirmedOnAFrozenServerSendsTheNextCallsElsewhere() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd).acquireTimeout(CALL).validateAfterIdle(Duration.ofMinutes(5))
                .validationTimeout(Duration.ofMillis(500)));
        SshTarget t = sshd.target();
        long frozen = servingPid(sshd, ssh.exec(t, "echo $PPID", CONNECT));
        signal("STOP", frozen);
        try {
            assertThatThrownBy(() -> ssh.sftp(t).close()).isInstanceOf(SshException.class).hasMessageContaining(t.toString())
                    .hasMessageContaining("SFTP did not start");
            nextCallsGoElsewhere(ssh, sshd, t, frozen);
            try (SftpSession sftp = ssh.sftp(t)) {
                assertThat(sftp.list("/")).isNotEmpty();
            }
        } finally {
            signal("CONT", frozen);
        }
    }

    @Test
    void aPoolShutDownWhileAFrozenConnectionIsCheckedClosesIt() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd).validateAfterIdle(Duration.ofMinutes(5)).validationTimeout(Duration.ofSeconds(40)));
        SshTarget t = sshd.target();
        long frozen = servingPid(sshd, ssh.exec(t, "echo $PPID", CONNECT));
        signal("STOP", frozen);
        try {
            callTimesOutNamingTheHost(ssh, t);
            // the check waits for an answer that does not come: the shutdown does not wait for it
            long start = System.nanoTime();
            assertThat(ssh.shutdown(Duration.ofSeconds(10))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(ssh.stats().size()).as("%s", ssh.stats()).isZero();
        } finally {
            signal("CONT", frozen);
        }
    }
}
