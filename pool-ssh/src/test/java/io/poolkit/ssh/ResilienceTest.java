package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.CircuitOpenException;
import io.poolkit.DestroyReason;
import io.poolkit.PoolTimeoutException;
import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dead connections, restarts, a host that is down, many hosts at once. */
class ResilienceTest extends SshTestBase {

    @Test
    void aServerRestartCostsNoCallerMoreThanARetry() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).validateAfterIdle(Duration.ZERO));
        SshTarget t = server.target();
        assertThat(ssh.exec(t, "echo before", Duration.ofSeconds(10)).stdout()).isEqualTo("before\n");
        server.restart();
        assertThat(ssh.exec(t, "echo after", Duration.ofSeconds(10)).stdout()).isEqualTo("after\n");
        assertThat(ssh.stats(t).connections().created()).isEqualTo(2);
    }

    @Test
    void anIdleConnectionThatDiedIsReplacedWithoutTheCallerNoticing() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        ssh.exec(t, "true", Duration.ofSeconds(10));
        server.restart(); // drops the idle connection; the probe or the closed session shows it
        Await.until(() -> server.activeSessions() == 0, () -> "sessions dropped");
        assertThat(ssh.exec(t, "echo fine", Duration.ofSeconds(10)).stdout()).isEqualTo("fine\n");
        Await.until(() -> ssh.stats(t).connections().destroyed() == 1, () -> "the dead one destroyed: " + ssh.stats(t));
        assertThat(ssh.stats(t).connections().destroyedBy(DestroyReason.VALIDATION_FAILED)
                + ssh.stats(t).connections().destroyedBy(DestroyReason.INVALIDATED)).isEqualTo(1);
    }

    @Test
    void aHostThatIsDownOpensTheCircuitAndThenFailsFast() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).circuitBreaker(2, Duration.ofSeconds(30)).connectRetry(Duration.ofMillis(10),
                Duration.ofMillis(20)).acquireTimeout(Duration.ofSeconds(3)));
        SshTarget t = track(server.target());
        server.stop();
        assertThatThrownBy(() -> ssh.exec(t, "true", Duration.ofSeconds(3)))
                .isInstanceOfAny(PoolTimeoutException.class, CircuitOpenException.class)
                .satisfies(e -> assertThat(e.getCause()).isNotNull());
        long start = System.nanoTime();
        assertThatThrownBy(() -> ssh.exec(t, "true", Duration.ofSeconds(3))).isInstanceOf(CircuitOpenException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("fails fast").isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void heartbeatsGoOverIdleConnections() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server).heartbeatInterval(Duration.ofMillis(100)));
        SshTarget t = server.target();
        ssh.exec(t, "true", Duration.ofSeconds(10));
        Await.until(() -> server.keepalives() >= 3, () -> "keepalives: " + server.keepalives());
        assertThat(ssh.exec(t, "echo alive", Duration.ofSeconds(10)).stdout()).isEqualTo("alive\n");
        assertThat(ssh.stats(t).connections().created()).isEqualTo(1);
    }

    @Test
    void execAllReturnsAResultOrAFailurePerHost() throws Exception {
        EmbeddedSshServer a = server();
        EmbeddedSshServer b = server();
        EmbeddedSshServer down = server();
        SshPool ssh = pool(builder(a, b, down).acquireTimeout(Duration.ofSeconds(2)).connectRetry(Duration.ofMillis(10),
                Duration.ofMillis(50)));
        SshTarget ta = a.target();
        SshTarget tb = b.target();
        SshTarget tdown = track(down.target());
        down.stop();
        Map<SshTarget, CommandResult> all = ssh.execAll(List.of(ta, tdown, tb, ta), "echo $PPID >/dev/null; echo hello",
                Duration.ofSeconds(3));
        assertThat(all.keySet()).containsExactly(ta, tdown, tb);
        assertThat(all.get(ta).stdout()).isEqualTo("hello\n");
        assertThat(all.get(tb).stdout()).isEqualTo("hello\n");
        assertThat(all.get(tdown).failure()).isPresent();
        assertThat(all.get(tdown).isSuccess()).isFalse();
        assertThatThrownBy(() -> all.get(tdown).orThrow()).isInstanceOf(RuntimeException.class);
    }

    @Test
    void drainClosesIdleConnectionsAndTheNextCommandOpensAFreshOne() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        assertThat(ssh.warm(t, 2)).isEqualTo(2);
        ssh.drain(t);
        assertThat(ssh.exec(t, "echo fresh", Duration.ofSeconds(10)).stdout()).isEqualTo("fresh\n");
    }
}
