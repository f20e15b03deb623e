package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.CircuitOpenException;
import io.poolkit.PoolTimeoutException;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.Threads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SshPool against a real OpenSSH sshd (Debian's openssh-server, prepared by
 * {@code .ci/services/openssh.sh}): each test starts its own sshd on a loopback port. Skipped with the
 * reason without OpenSSH; a failure with {@code CI=true}.
 */
@Timeout(90)
class OpenSshIT extends OpenSshTestBase {

    /** Whether a process whose command line contains {@code marker} runs as the test user. */
    private static boolean running(SshPool ssh, SshTarget t, String marker) {
        // the [x] keeps pgrep from matching its own shell
        String pattern = "[" + marker.charAt(0) + "]" + marker.substring(1);
        try {
            return ssh.exec(t, "pgrep -u \"$(id -u)\" -f '" + pattern + "' >/dev/null", Duration.ofSeconds(10)).exitCode() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Test
    void execReturnsExitCodeStdoutAndStderr() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        CommandResult r = ssh.exec(sshd.target(), "echo out; echo err >&2; whoami; exit 7", Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.stdout()).isEqualTo("out\n" + OpenSsh.USER + "\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        for (int i = 0; i < 20; i++) {
            assertThat(ssh.exec(sshd.target(), "echo " + i, Duration.ofSeconds(10)).stdout()).isEqualTo(i + "\n");
        }
        assertThat(ssh.stats(sshd.target()).connections().created()).isEqualTo(1);
    }

    @Test
    void aTimedOutCommandIsReallyKilled() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        ssh.warm(t, 1);
        assertThatThrownBy(() -> ssh.exec(t, "sleep 6101", Duration.ofMillis(800)))
                .isInstanceOfSatisfying(CommandTimeoutException.class, e -> {
                    assertThat(e.killed()).isTrue();
                    assertThat(e.partialResult().exitSignal()).as("OpenSSH reports the signal").isPresent();
                });
        Await.until(() -> !running(ssh, t, "sleep 6101"), () -> "sleep 6101 gone");
    }

    @Test
    void whenOpenSshRefusesTheSignalRequestTheCommandIsKilledByPid() throws Exception {
        // OpenSSH refuses signals for ForceCommand sessions: the pid route must stop the command
        OpenSsh forced = sshd("host_ed25519_key", 10, "ForceCommand /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"\n");
        OpenSsh plain = sshd(10);
        SshPool ssh = pool(builder(forced, plain));
        SshTarget t = forced.target();
        ssh.warm(t, 1);
        assertThatThrownBy(() -> ssh.exec(t, "sleep 6202", Duration.ofMillis(800)))
                .isInstanceOfSatisfying(CommandTimeoutException.class, e -> assertThat(e.killed()).isTrue());
        Await.until(() -> !running(ssh, plain.target(), "sleep 6202"), () -> "sleep 6202 gone");
        assertThat(forced.log()).contains("refusing");
    }

    @Test
    void moreConcurrentCommandsThanChannels() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd).maxChannelsPerConnection(4).maxConnectionsPerTarget(8));
        SshTarget t = sshd.target();
        Threads.run(24, Duration.ofSeconds(60), i -> {
            CommandResult r = ssh.exec(t, "sleep 0.3; echo " + i, Duration.ofSeconds(40));
            assertThat(r.stdout()).isEqualTo(i + "\n");
        });
        assertThat(ssh.stats(t).connections().created()).isBetween(1L, 6L);
        assertThat(ssh.stats(t).commands()).isEqualTo(24);
    }

    @Test
    void aServerWithMaxSessions2() throws Exception {
        OpenSsh sshd = sshd(2);
        SshPool ssh = pool(builder(sshd).maxChannelsPerConnection(8).maxConnectionsPerTarget(4));
        SshTarget t = sshd.target();
        Path ran = work.resolve("ran"); // not shared with the remote user; count on the host through the command itself
        List<String> outputs = new CopyOnWriteArrayList<>();
        Threads.run(8, Duration.ofSeconds(60), i -> {
            CommandResult r = ssh.exec(t, "sleep 0.5; echo run-" + i, Duration.ofSeconds(40));
            outputs.add(r.stdout());
        });
        assertThat(outputs).hasSize(8).doesNotHaveDuplicates();
        SshStats st = ssh.stats(t);
        assertThat(st.refusals()).as("OpenSSH refused beyond MaxSessions 2: %s", st).isPositive();
        assertThat(st.channelsPerConnection()).isEqualTo(2);
        assertThat(st.retries()).isEqualTo(st.refusals());
        assertThat(ran).doesNotExist();
    }

    @Test
    void unknownAndChangedHostKeysAreRejected() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool strict = pool(builder()); // an empty known_hosts
        SshTarget t = track(sshd.target());
        assertThatThrownBy(() -> strict.exec(t, "true", Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(HostKeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HostKeyException.Reason.UNKNOWN);
                    assertThat(e.getMessage()).contains("ssh-ed25519 SHA256:");
                });
        Path wrong = work.resolve("wrong_known_hosts");
        Files.writeString(wrong, sshd.knownHostsLine("other_host_ed25519_key") + "\n");
        SshTarget changed = track(sshd.target().withHostKeyPolicy(HostKeyPolicy.knownHosts(wrong)));
        assertThatThrownBy(() -> strict.exec(changed, "true", Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(HostKeyException.class, e -> assertThat(e.reason()).isEqualTo(HostKeyException.Reason.CHANGED));
    }

    @Test
    void sshdRestartedMidRun() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd).connectRetry(Duration.ofMillis(50), Duration.ofMillis(200)));
        SshTarget t = sshd.target();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<String> done = new CopyOnWriteArrayList<>();
        List<CommandResult> killed = new CopyOnWriteArrayList<>();
        Threads.run(4, Duration.ofSeconds(60), i -> {
            if (i == 3) {
                Await.until(() -> done.size() >= 10, () -> "commands before the restart");
                sshd.restart();
                int before = done.size();
                Await.until(Duration.ofSeconds(20), () -> done.size() >= before + 10, () -> "commands after the restart");
                return;
            }
            long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < end && done.size() < 60) {
                try {
                    CommandResult r = ssh.exec(t, "echo " + i, Duration.ofSeconds(15));
                    if (r.exitSignal().isPresent()) {
                        killed.add(r); // the restart killed it on the host: it was sent, and says so
                        continue;
                    }
                    assertThat(r.stdout()).as("%s", r).isEqualTo(i + "\n");
                    done.add(r.stdout());
                } catch (SshException e) {
                    failures.add(e);
                }
            }
        });
        // a command lost with its connection may have run (it was sent): only those fail, never one that was not sent
        assertThat(failures).allSatisfy(f -> assertThat(((SshException) f).mayHaveRun()).as("%s", f).isTrue());
        assertThat(ssh.exec(t, "echo after", Duration.ofSeconds(10)).stdout()).isEqualTo("after\n");
        assertThat(ssh.stats(t).connections().created()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void sshdStoppedOpensTheCircuit() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd).circuitBreaker(2, Duration.ofSeconds(30)).connectRetry(Duration.ofMillis(20),
                Duration.ofMillis(50)).acquireTimeout(Duration.ofSeconds(3)));
        SshTarget t = track(sshd.target());
        assertThat(ssh.exec(t, "echo up", Duration.ofSeconds(10)).stdout()).isEqualTo("up\n");
        sshd.stop();
        assertThatThrownBy(() -> ssh.exec(t, "true", Duration.ofSeconds(3)))
                .isInstanceOfAny(PoolTimeoutException.class, CircuitOpenException.class, SshException.class);
        Await.until(() -> ssh.stats(t).connections().circuitState() == io.poolkit.CircuitState.OPEN,
                () -> "circuit open: " + ssh.stats(t));
        long start = System.nanoTime();
        assertThatThrownBy(() -> ssh.exec(t, "true", Duration.ofSeconds(3))).isInstanceOf(CircuitOpenException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void execAllOverSeveralSshdOnSeveralPorts() throws Exception {
        OpenSsh a = sshd(10);
        OpenSsh b = sshd(10);
        OpenSsh c = sshd(2);
        SshPool ssh = pool(builder(a, b, c));
        List<SshTarget> all = List.of(a.target(), b.target(), c.target());
        Map<SshTarget, CommandResult> results = ssh.execAll(all, "echo $SSH_CONNECTION | cut -d' ' -f4");
        assertThat(results).hasSize(3);
        assertThat(results.get(a.target()).stdout().trim()).isEqualTo(String.valueOf(a.port()));
        assertThat(results.get(b.target()).stdout().trim()).isEqualTo(String.valueOf(b.port()));
        assertThat(results.get(c.target()).stdout().trim()).isEqualTo(String.valueOf(c.port()));
        c.stop();
        Map<SshTarget, CommandResult> again = ssh.execAll(all, "true", Duration.ofSeconds(5));
        assertThat(again.get(a.target()).isSuccess()).isTrue();
        assertThat(again.get(c.target()).failure()).isPresent();
    }
}
