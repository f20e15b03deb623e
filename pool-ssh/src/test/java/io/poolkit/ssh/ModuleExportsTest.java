package io.poolkit.ssh;

import io.poolkit.testkit.ModuleExports;
import org.junit.jupiter.api.Test;

/** STYLE rule 1: pool-ssh exports its API package only; io.poolkit.ssh.internal stays hidden. */
class ModuleExportsTest {

    @Test
    void moduleExportsExactlyTheApiPackage() {
        ModuleExports.of(SshPool.class).isNamed("io.poolkit.ssh").exportsExactly("io.poolkit.ssh")
                .hides("io.poolkit.ssh.internal").opensNothing()
                .requires("io.poolkit", "org.apache.sshd.osgi");
    }
}
