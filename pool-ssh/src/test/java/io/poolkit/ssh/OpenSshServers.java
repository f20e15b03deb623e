package io.poolkit.ssh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens {@link OpenSsh} (a real sshd on a loopback port) to tests in other modules, as pool-ssh's test-jar does the embedded {@code io.poolkit.ssh.testing.EmbeddedSshServer}. */
public final class OpenSshServers {
    private OpenSshServers() {
    }

    /** A running sshd; close it to stop it and every session it spawned. */
    public static final class Handle implements AutoCloseable {
        private final OpenSsh sshd;

        Handle(OpenSsh sshd) {
            this.sshd = sshd;
        }

        /** @return the test user with the test key, on this sshd */
        public SshTarget target() {
            return sshd.target();
        }

        /** Appends this sshd's host key to {@code knownHosts} (created if missing) and returns the file. */
        public Path trustIn(Path knownHosts) throws Exception {
            Files.writeString(knownHosts, sshd.knownHostsLine("host_ed25519_key") + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return knownHosts;
        }

        @Override
        public void close() throws InterruptedException {
            sshd.close();
        }
    }

    /** Skips (or, with CI=true, fails) the calling test when OpenSSH or its material is missing. */
    public static void require() {
        OpenSsh.require();
    }

    /** @param work a directory for its config and log */
    public static Handle start(Path work) throws Exception {
        return new Handle(OpenSsh.start(work, 10));
    }
}
