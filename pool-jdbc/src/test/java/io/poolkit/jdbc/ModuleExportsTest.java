package io.poolkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** STYLE rule 1: the module exports its API package only; the proxies stay inside. */
class ModuleExportsTest {

    private static ModuleDescriptor descriptor() throws Exception {
        Path classes = Path.of(PooledDataSource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void moduleExportsExactlyTheApiPackage() throws Exception {
        ModuleDescriptor d = descriptor();
        assertThat(d.isOpen()).isFalse();
        assertThat(d.name()).isEqualTo("io.poolkit.jdbc");
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertThat(exported).containsExactly("io.poolkit.jdbc");
        assertThat(d.exports()).noneMatch(ModuleDescriptor.Exports::isQualified);
        assertThat(d.opens()).isEmpty();
        Path classes = Path.of(PooledDataSource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(classes.resolve("io/poolkit/jdbc/internal/ConnectionProxy.class")).as("the hidden package is really there").exists();
    }

    @Test
    void moduleRequiresOnlyJavaSqlTheCoreAndSlf4j() throws Exception {
        Set<String> required = descriptor().requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
        assertThat(required).containsExactlyInAnyOrder("java.base", "java.sql", "io.poolkit", "org.slf4j");
    }
}
