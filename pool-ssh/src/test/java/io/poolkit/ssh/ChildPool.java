package io.poolkit.ssh;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A pool run in a JVM of its own (for a test that needs a different {@code user.home}): runs one
 * command on {@code host port user key knownHosts} and prints its stdout, or the failure, on stdout.
 */
final class ChildPool {
    private ChildPool() {
    }

    public static void main(String[] args) {
        SshTarget target = SshTarget.of(args[0], Integer.parseInt(args[1]), args[2]).withKey(Path.of(args[3]));
        try (SshPool ssh = SshPool.builder().name("child").knownHosts(Path.of(args[4])).acquireTimeout(Duration.ofSeconds(10))
                .heartbeatInterval(io.poolkit.Pool.FOREVER).build()) {
            System.out.println("result: " + ssh.exec(target, args[5], Duration.ofSeconds(10)).stdout().trim());
        } catch (Exception e) {
            System.out.println("failure: " + e);
        }
    }
}
