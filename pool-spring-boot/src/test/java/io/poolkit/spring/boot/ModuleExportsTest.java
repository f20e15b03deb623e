package io.poolkit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** STYLE rule 1: the module exports its API package only, and opens it to Spring alone. */
class ModuleExportsTest {

    @Test
    void moduleExportsTheAutoConfigurationPackageAndOpensItToSpringOnly() throws Exception {
        Path classes = Path.of(PoolkitDataSourceAutoConfiguration.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("io.poolkit.spring.boot");
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertThat(exported).containsExactly("io.poolkit.spring.boot");
        assertThat(d.opens()).singleElement().satisfies(o -> {
            assertThat(o.source()).isEqualTo("io.poolkit.spring.boot");
            assertThat(o.targets()).containsExactlyInAnyOrder("spring.core", "spring.beans", "spring.context");
        });
    }
}
