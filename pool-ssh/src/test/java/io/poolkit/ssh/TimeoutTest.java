package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A command past its timeout is stopped on the host, not only abandoned. */
class TimeoutTest extends SshTestBase {

    @Test
    void aTimedOutCommandIsKilledWithTheSignalRequest() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        ssh.warm(t, 1);
        long start = System.nanoTime();
        assertThatThrownBy(() -> ssh.exec(t, "echo started; sleep 30", Duration.ofMillis(700)))
                .isInstanceOfSatisfying(CommandTimeoutException.class, e -> {
                    assertThat(e.killed()).isTrue();
                    assertThat(e.mayHaveRun()).isTrue();
                    assertThat(e.partialResult().stdout()).isEqualTo("started\n");
                    assertThat(e.getMessage()).contains("did not finish within 700 ms", "sleep 30");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        long pid = server.pidOf("sleep 30");
        Await.until(() -> !EmbeddedSshServer.alive(pid), () -> "the remote command ended");
        assertThat(ssh.stats(t).timeouts()).isEqualTo(1);
        assertThat(ssh.exec(t, "echo next", Duration.ofSeconds(10)).stdout()).isEqualTo("next\n");
    }

    @Test
    void whenTheServerRefusesSignalsTheCommandIsKilledByPidFromASecondChannel() throws Exception {
        EmbeddedSshServer server = server();
        server.refuseSignals(true);
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        ssh.warm(t, 1);
        assertThatThrownBy(() -> ssh.exec(t, "sleep 31; echo never", Duration.ofMillis(700)))
                .isInstanceOfSatisfying(CommandTimeoutException.class, e -> assertThat(e.killed()).isTrue());
        long pid = server.pidOf("sleep 31");
        Await.until(() -> !EmbeddedSshServer.alive(pid), () -> "the remote command ended");
        assertThat(server.commands()).anySatisfy(c -> assertThat(c).contains("kill -s TERM"));
    }

    @Test
    void aCommandThatIgnoresTermIsKilled() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).killGrace(Duration.ofMillis(500)));
        SshTarget t = server.target();
        ssh.warm(t, 1);
        assertThatThrownBy(() -> ssh.exec(t, "trap '' TERM; sleep 32", Duration.ofMillis(500)))
                .isInstanceOfSatisfying(CommandTimeoutException.class, e -> assertThat(e.killed()).isTrue());
        long pid = server.pidOf("sleep 32");
        Await.until(() -> !EmbeddedSshServer.alive(pid), () -> "the remote command ended");
    }

    @Test
    void withoutThePidWrapperARefusedSignalLeavesTheCommandAndSaysSo() throws Exception {
        EmbeddedSshServer server = server();
        server.refuseSignals(true);
        SshPool ssh = pool(builder(server).pidWrapper(false));
        SshTarget t = server.target();
        // a pinned connection: the 500 ms bound goes to the command, not to a pool hand-off on a loaded machine
        try (Remote remote = ssh.remote(t)) {
            remote.exec("true", Duration.ofSeconds(10));
            assertThatThrownBy(() -> remote.exec("sleep 33", Duration.ofMillis(500)))
                    .isInstanceOfSatisfying(CommandTimeoutException.class, e -> {
                        assertThat(e.killed()).isFalse();
                        assertThat(e.getMessage()).contains("may still run");
                    });
        }
        long pid = server.pidOf("sleep 33");
        assertThat(EmbeddedSshServer.alive(pid)).isTrue();
        EmbeddedSshServer.kill(pid, "KILL");
    }

    @Test
    void anInterruptedCallerStopsItsCommand() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        Thread caller = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            Await.until(() -> server.started("sleep 34"), () -> "started");
            caller.interrupt();
        });
        interrupter.start();
        assertThatThrownBy(() -> ssh.exec(t, "sleep 34", Duration.ofSeconds(20))).isInstanceOf(InterruptedException.class);
        interrupter.join(10_000);
        assertThat(interrupter.isAlive()).isFalse();
        long pid = server.pidOf("sleep 34");
        Await.until(() -> !EmbeddedSshServer.alive(pid), () -> "the remote command ended");
    }
}
