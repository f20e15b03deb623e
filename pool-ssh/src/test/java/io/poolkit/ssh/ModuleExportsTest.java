package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** STYLE rule 1: pool-ssh exports its API package only; io.poolkit.ssh.internal stays hidden. */
class ModuleExportsTest {

    @Test
    void moduleExportsExactlyTheApiPackage() throws Exception {
        Path classes = Path.of(SshPool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("io.poolkit.ssh");
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertThat(exported).containsExactly("io.poolkit.ssh");
        assertThat(d.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
        assertThat(d.requires().stream().map(ModuleDescriptor.Requires::name)).contains("io.poolkit", "org.apache.sshd.osgi");
    }
}
