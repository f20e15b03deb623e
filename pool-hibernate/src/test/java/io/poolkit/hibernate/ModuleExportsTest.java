package io.poolkit.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** STYLE rule 1: the module exports its API package only; the strategy registration stays inside. */
class ModuleExportsTest {

    @Test
    void moduleExportsTheProviderPackageAndProvidesTheShortName() throws Exception {
        Path classes = Path.of(PoolkitConnectionProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("io.poolkit.hibernate");
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertThat(exported).containsExactly("io.poolkit.hibernate");
        assertThat(d.opens()).isEmpty();
        assertThat(d.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo("org.hibernate.boot.registry.selector.StrategyRegistrationProvider");
            assertThat(p.providers()).containsExactly("io.poolkit.hibernate.internal.PoolkitStrategyRegistrationProvider");
        });
    }
}
