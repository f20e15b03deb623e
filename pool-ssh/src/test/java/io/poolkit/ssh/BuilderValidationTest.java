package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bad options are rejected in the setter, naming the rule and the value. */
class BuilderValidationTest {

    @Test
    void settersNameTheRuleAndTheRejectedValue() {
        SshPoolBuilder b = SshPool.builder();
        assertThatThrownBy(() -> b.maxChannelsPerConnection(0)).hasMessage("maxChannelsPerConnection must be at least 1, but was 0");
        assertThatThrownBy(() -> b.maxConnectionsPerTarget(-1)).hasMessage("maxConnectionsPerTarget must be at least 1, but was -1");
        assertThatThrownBy(() -> b.commandTimeout(Duration.ZERO)).hasMessage("commandTimeout must be more than zero, but was PT0S");
        assertThatThrownBy(() -> b.acquireTimeout(Duration.ofSeconds(-1))).hasMessage("acquireTimeout must not be negative, but was PT-1S");
        assertThatThrownBy(() -> b.maxOutputBytes(-5)).hasMessage("maxOutputBytes must be at least 0, but was -5");
        assertThatThrownBy(() -> b.name(" ")).hasMessage("name must not be blank, but was ' '");
        assertThatThrownBy(() -> b.connectRetry(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("connectRetry max (PT1S) must not be below initial (PT2S)");
    }

    @Test
    void crossFieldRulesAtBuild() {
        assertThatThrownBy(() -> SshPool.builder().maxConnectionsPerTarget(2).minIdlePerTarget(3).build())
                .hasMessage("minIdlePerTarget (3) must not exceed maxConnectionsPerTarget (2)");
    }

    @Test
    void targetsRejectBadValues() {
        assertThatThrownBy(() -> SshTarget.of("", 22, "u")).hasMessage("host must not be blank, but was ''");
        assertThatThrownBy(() -> SshTarget.of("h", 0, "u")).hasMessage("port must be between 1 and 65535, but was 0");
        assertThatThrownBy(() -> SshTarget.of("h", 22, null)).hasMessage("user must not be blank, but was null");
    }

    /** OpenSSH drops a connection whose direct-tcpip request (tunnels, jump hosts) holds a NUL: every channel on it with it. */
    @Test
    void hostsAndUsersWithControlCharactersAreRejected() {
        assertThatThrownBy(() -> SshTarget.of("db\0x", 22, "u")).hasMessage("host must not contain control characters, but was 'db?x'");
        assertThatThrownBy(() -> SshTarget.of("h", 22, "u\nx")).hasMessage("user must not contain control characters, but was 'u?x'");
        try (SshPool ssh = SshPool.builder().build()) {
            SshTarget t = SshTarget.of("127.0.0.1", 1, "u");
            assertThatThrownBy(() -> ssh.forward(t, "db\0internal", 5432))
                    .hasMessage("host must not contain control characters, but was 'db?internal'");
        }
    }

    @Test
    void blankCommandsAreRejected() throws Exception {
        try (SshPool ssh = SshPool.builder().build()) {
            SshTarget t = SshTarget.of("127.0.0.1", 1, "u");
            assertThatThrownBy(() -> ssh.exec(t, " ", Duration.ofSeconds(1))).hasMessage("command must not be blank, but was ' '");
            assertThatThrownBy(() -> ssh.exec(t, "true", Duration.ofSeconds(-1))).hasMessage("timeout must not be negative, but was PT-1S");
        }
    }
}
