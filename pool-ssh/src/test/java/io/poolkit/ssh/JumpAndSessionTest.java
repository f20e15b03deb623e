package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.DestroyReason;
import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Jump hosts and the withSession escape hatch, against embedded servers. */
class JumpAndSessionTest extends SshTestBase {

    @Test
    void aTargetBehindAJumpHostIsReachedThroughAPooledJumpConnection() throws Exception {
        EmbeddedSshServer jump = server();
        EmbeddedSshServer inner = server();
        SshPool ssh = pool(builder(jump, inner));
        SshTarget j = jump.target();
        SshTarget a = inner.target().via(j);
        assertThat(a.jump()).contains(j);
        assertThat(a).isNotEqualTo(inner.target());
        assertThat(a.toString()).endsWith(" via " + j);
        assertThat(ssh.exec(a, "echo inside", Duration.ofSeconds(10)).stdout()).isEqualTo("inside\n");
        assertThat(jump.forwarded()).containsExactly("127.0.0.1:" + inner.port());
        SshStats js = ssh.stats(j);
        assertThat(js.connections().created()).as("the jump connection shows under the jump target: %s", js).isEqualTo(1);
        assertThat(js.connectionsInUse()).as("held while the target's connection lives").isEqualTo(1);
        assertThat(js.channelsOpen()).as("a direct-tcpip channel takes no session permit").isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(ssh.exec(a, "echo " + i, Duration.ofSeconds(10)).stdout()).isEqualTo(i + "\n");
        }
        assertThat(ssh.stats(a).connections().created()).isEqualTo(1);
        assertThat(jump.forwarded()).hasSize(1);
    }

    @Test
    void targetsBehindOneJumpHostShareItsConnection() throws Exception {
        EmbeddedSshServer jump = server();
        EmbeddedSshServer one = server();
        EmbeddedSshServer two = server();
        SshPool ssh = pool(builder(jump, one, two));
        SshTarget j = jump.target();
        assertThat(ssh.exec(one.target().via(j), "echo one", Duration.ofSeconds(10)).stdout()).isEqualTo("one\n");
        assertThat(ssh.exec(two.target().via(j), "echo two", Duration.ofSeconds(10)).stdout()).isEqualTo("two\n");
        assertThat(ssh.stats(j).connections().created()).isEqualTo(1);
        assertThat(jump.activeSessions()).isEqualTo(1);
    }

    @Test
    void theTargetsHostKeyIsCheckedUnderItsOwnName() throws Exception {
        EmbeddedSshServer jump = server();
        EmbeddedSshServer inner = server();
        SshPool ssh = pool(builder(jump)); // the inner server's key is not known
        SshTarget a = track(inner.target().via(jump.target()));
        assertThatThrownBy(() -> ssh.exec(a, "true", Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(HostKeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HostKeyException.Reason.UNKNOWN);
                    assertThat(e.getMessage()).contains("[127.0.0.1]:" + inner.port()).doesNotContain("jump host");
                });
    }

    @Test
    void anUnknownJumpHostKeyIsAClearErrorAndCountsStayExact() throws Exception {
        EmbeddedSshServer jump = server();
        EmbeddedSshServer inner = server();
        SshPool ssh = pool(builder(inner)); // the jump's key is not known
        SshTarget j = track(jump.target());
        SshTarget a = track(inner.target().via(j));
        assertThatThrownBy(() -> ssh.exec(a, "true", Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(HostKeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HostKeyException.Reason.UNKNOWN);
                    assertThat(e.getMessage()).contains("its jump host", "[127.0.0.1]:" + jump.port(), "is unknown");
                });
        assertThat(ssh.stats(a).connections().leased()).isZero();
        assertThat(ssh.stats(j).connections().leased()).isZero();
        assertThat(ssh.stats(j).connectionsInUse()).isZero();
        assertThat(inner.activeSessions()).as("nothing reached the target").isZero();
    }

    /**
     * A call right after a rejected key gets the same clear error at once, directly and through the
     * jump host. Before, the dispatcher still counted the connection request it had just cancelled
     * (its removal ran later, on another thread, and asked for nothing new): the next caller asked the
     * pool for no connection and waited out its acquire timeout (a PoolTimeoutException at 8 s).
     */
    @Test
    void aRejectedKeyIsTheSameClearErrorOnEveryCallNotATimeout() throws Exception {
        EmbeddedSshServer jump = server();
        EmbeddedSshServer inner = server();
        SshPool ssh = pool(builder(inner).acquireTimeout(Duration.ofSeconds(8))); // the jump's key is not known
        SshTarget j = track(jump.target());
        SshTarget a = track(inner.target().via(j));
        for (int call = 0; call < 4; call++) {
            for (SshTarget t : new SshTarget[] {j, a}) {
                long start = System.nanoTime();
                int n = call;
                assertThatThrownBy(() -> ssh.exec(t, "true", Duration.ofSeconds(10))).as("call %d to %s", n, t)
                        .isInstanceOf(HostKeyException.class).hasMessageContaining("is unknown");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("call %d to %s: not at the acquire deadline", n, t)
                        .isLessThan(Duration.ofSeconds(6));
            }
        }
        for (SshTarget t : new SshTarget[] {j, a}) {
            SshStats st = ssh.stats(t);
            assertThat(st.connections().leased() + st.connections().idle() + st.connectionsInUse() + st.channelsOpen() + st.waiting())
                    .as("%s", st).isZero();
        }
    }

    @Test
    void aJumpChainThatLoopsIsRejected() throws Exception {
        SshTarget a = SshTarget.of("a", 22, "u");
        SshTarget b = SshTarget.of("b", 22, "u").via(a);
        assertThatThrownBy(() -> a.via(b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not lead back to the target itself");
    }

    @Test
    void withSessionLendsTheSessionInsideTheAccounting() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        String version = ssh.withSession(t, session -> {
            SshStats st = ssh.stats(t);
            assertThat(st.channelsOpen()).as("a permit is held: %s", st).isEqualTo(1);
            assertThat(st.connectionsInUse()).isEqualTo(1);
            return session.getServerVersion();
        });
        assertThat(version).startsWith("SSH-2.0-");
        assertThat(ssh.stats(t).channelsOpen()).isZero();
        assertThat(ssh.exec(t, "echo same", Duration.ofSeconds(10)).stdout()).isEqualTo("same\n");
        assertThat(ssh.stats(t).connections().created()).isEqualTo(1);
    }

    @Test
    void aSessionClosedByTheFunctionIsDiscardedNotReturned() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        ssh.withSession(t, session -> {
            session.close(true);
            return null;
        });
        Await.until(() -> ssh.stats(t).connections().destroyedBy(DestroyReason.INVALIDATED) == 1,
                () -> "the closed connection was invalidated: " + ssh.stats(t));
        assertThat(ssh.exec(t, "echo fresh", Duration.ofSeconds(10)).stdout()).isEqualTo("fresh\n");
        assertThat(ssh.stats(t).connections().created()).isEqualTo(2);
    }

    @Test
    void aCheckedExceptionFromTheFunctionIsWrappedAndThePermitFreed() throws Exception {
        EmbeddedSshServer server = server();
        SshPool ssh = pool(builder(server));
        SshTarget t = server.target();
        assertThatThrownBy(() -> ssh.withSession(t, session -> {
            throw new IOException("no " + Path.of("x"));
        })).isInstanceOf(SshException.class).hasRootCauseInstanceOf(IOException.class).hasMessageContaining("withSession");
        assertThatThrownBy(() -> ssh.withSession(t, session -> {
            throw new IllegalStateException("as is");
        })).isInstanceOf(IllegalStateException.class).hasMessage("as is");
        assertThat(ssh.stats(t).channelsOpen()).isZero();
        assertThat(ssh.stats(t).connections().created()).isEqualTo(1);
    }
}
