package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Commands share connections, so one caller's bad input must not cost the others theirs: OpenSSH
 * drops the whole connection for an exec request holding a NUL character or larger than its packet
 * limit (256 KiB), which ended every other command on it ("the connection was lost while `sleep 3`
 * ran"). Such a command is refused before anything is sent.
 */
@Timeout(60)
class SharedConnectionIT extends OpenSshTestBase {

    @Test
    void aCommandOpenSshWouldDropTheConnectionForIsRefusedAndTheOthersOnItRunOn() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        CompletableFuture<Object> other = CompletableFuture.supplyAsync(() -> {
            try {
                return ssh.exec(t, "sleep 2; echo survived", Duration.ofSeconds(20)).stdout();
            } catch (Throwable e) {
                return e;
            }
        });
        Await.until(() -> ssh.stats(t).channelsOpen() == 1, () -> "the other command runs: " + ssh.stats(t));
        assertThatThrownBy(() -> ssh.exec(t, "echo a\0b", Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        String huge = "echo " + "x".repeat(300_000);
        assertThatThrownBy(() -> ssh.exec(t, huge, Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("131072 bytes").hasMessageContaining("300005");
        assertThatThrownBy(() -> ssh.start(t, huge)).isInstanceOf(IllegalArgumentException.class);
        assertThat(other.get(30, TimeUnit.SECONDS)).isEqualTo("survived\n");
        assertThat(ssh.exec(t, "echo " + "y".repeat(100_000) + " | wc -c", Duration.ofSeconds(10)).stdout().trim())
                .isEqualTo("100001");
        assertThat(ssh.stats(t).connections().created()).isEqualTo(1);
    }
}
