package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Races between a command's end, its caller and its timeout; found in review and measurement, each test failed before its fix. */
class ExecRacesTest extends SshTestBase {

    /** A handle whose connection stays with the dispatcher, so a short timeout goes to the command, not to a pool hand-off. */
    private static Remote pinned(SshPool ssh, SshTarget t) throws InterruptedException {
        Remote remote = ssh.remote(t);
        remote.exec("true", Duration.ofSeconds(10));
        return remote;
    }

    /**
     * The caller was woken (channel closed) before the channel's permit was released: the next exec
     * from the same thread found the connection's only permit taken and asked the pool for another
     * connection. Before the fix a second connection opened within a few dozen commands.
     */
    @Test
    void sequentialExecsFromOneThreadNeverOpenASecondConnection() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).maxChannelsPerConnection(1).maxConnectionsPerTarget(4));
        SshTarget t = server.target();
        for (int i = 0; i < 150; i++) {
            assertThat(ssh.exec(t, "echo " + i, Duration.ofSeconds(10)).stdout()).isEqualTo(i + "\n");
            assertThat(ssh.stats(t).connections().created()).as("after command %d: %s", i, ssh.stats(t)).isEqualTo(1);
        }
    }

    /**
     * A command that exits by itself while its timeout fires: OpenSSH sends the exit status when the
     * command exits and closes the channel once its output ends. Before the fix the kill found the exit
     * status and reported "it was stopped" (and counted a timeout) for a command nobody stopped.
     */
    @Test
    void aCommandThatEndsByItselfAsItsTimeoutFiresIsNotReportedStopped() throws Exception {
        EmbeddedSshServer server = server();
        // the command exits at once with 0 (its exit status goes out then); its channel closes 1.5 s later,
        // as when a background process holds its output: after the 1 s timeout, well within the kill grace
        server.holdOutputAfterExit(Duration.ofMillis(1500));
        SshPool ssh = pool(builder(server).killGrace(Duration.ofSeconds(3)));
        SshTarget t = server.target();
        CommandResult r;
        try (Remote remote = pinned(ssh, t)) {
            r = remote.exec("echo done", Duration.ofSeconds(1));
        }
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("done\n");
        assertThat(r.exitSignal()).isEmpty();
        SshStats st = ssh.stats(t);
        assertThat(st.timeouts()).as("%s", st).isZero();
        assertThat(st.timeoutsNotStopped()).isZero();
        assertThat(st.commands()).as("the pinning command and this one").isEqualTo(2);
        assertThat(server.commands()).noneSatisfy(c -> assertThat(c).contains("kill -s"));
    }

    /** When the output stays open past the grace too, the timeout says the command exited by itself, not that it was stopped. */
    @Test
    void aCommandWhoseOutputOutlivesItsTimeoutSaysItExitedByItself() throws Exception {
        EmbeddedSshServer server = server();
        server.holdOutputAfterExit(Duration.ofMillis(5000));
        SshPool ssh = pool(builder(server).killGrace(Duration.ofMillis(300)));
        SshTarget t = server.target();
        try (Remote remote = pinned(ssh, t)) {
            assertThatThrownBy(() -> remote.exec("echo done", Duration.ofMillis(500)))
                    .isInstanceOfSatisfying(CommandTimeoutException.class, e -> {
                        assertThat(e.getMessage()).contains("exited by itself (exit status 0)").doesNotContain("it was stopped");
                        assertThat(e.partialResult().exitCode()).isZero();
                        assertThat(e.partialResult().stdout()).isEqualTo("done\n");
                    });
        }
    }

    /** A timeout whose kill failed (the command may still run) was counted with the ones that were stopped. */
    @Test
    void aTimeoutWhoseKillFailedIsCountedApart() throws Exception {
        EmbeddedSshServer server = server();
        server.refuseSignals(true);
        SshPool ssh = pool(builder(server).pidWrapper(false));
        SshTarget t = server.target();
        try (Remote remote = pinned(ssh, t)) {
            assertThatThrownBy(() -> remote.exec("sleep 39", Duration.ofMillis(400)))
                    .isInstanceOfSatisfying(CommandTimeoutException.class, e -> assertThat(e.killed()).isFalse());
            assertThatThrownBy(() -> remote.exec("sleep 0.5; sleep 39", Duration.ofMillis(400)))
                    .isInstanceOf(CommandTimeoutException.class);
            server.refuseSignals(false);
            assertThatThrownBy(() -> remote.exec("sleep 40", Duration.ofMillis(400)))
                    .isInstanceOfSatisfying(CommandTimeoutException.class, e -> assertThat(e.killed()).isTrue());
        }
        SshStats st = ssh.stats(t);
        assertThat(st.timeoutsNotStopped()).as("%s", st).isEqualTo(2);
        assertThat(st.timeouts()).as("stopped ones only: %s", st).isEqualTo(1);
        for (Map.Entry<String, Long> e : server.pids().entrySet()) {
            EmbeddedSshServer.kill(e.getValue(), "KILL");
        }
    }
}
