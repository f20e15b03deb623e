package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * STYLE rule 1: pool-core's module exports its API package only; the implementation in
 * {@code io.poolkit.internal} stays hidden. Tests run on the class path, so the descriptor is read
 * from the compiled module-info.class next to {@link Pool}.
 */
@Timeout(30)
class ModuleExportsTest {
    private static ModuleDescriptor descriptor;

    @BeforeAll
    static void readDescriptor() throws Exception {
        Path classes = Path.of(Pool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path moduleInfo = Files.isDirectory(classes) ? classes.resolve("module-info.class") : null;
        assertThat(moduleInfo).as("pool-core classes directory (not a jar): %s", classes).isNotNull();
        assertThat(moduleInfo).exists();
        try (InputStream in = Files.newInputStream(moduleInfo)) {
            descriptor = ModuleDescriptor.read(in);
        }
    }

    @Test
    void moduleIsNamedIoPoolkit() {
        assertThat(descriptor.name()).isEqualTo("io.poolkit");
    }

    @Test
    void moduleExportsExactlyTheApiPackage() {
        Set<String> exported = descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertThat(exported).containsExactly("io.poolkit");
    }

    @Test
    void apiPackageIsExportedToEveryoneNotQualified() {
        assertThat(descriptor.exports()).allSatisfy(e -> assertThat(e.isQualified()).as("qualified export of %s", e).isFalse());
    }

    @Test
    void internalPackageIsNeitherExportedNorOpened() {
        assertThat(descriptor.exports()).noneMatch(e -> e.source().equals("io.poolkit.internal"));
        assertThat(descriptor.opens()).noneMatch(o -> o.source().equals("io.poolkit.internal"));
        assertThat(descriptor.isOpen()).as("open module").isFalse();
    }

    /** The hidden package is really there, in the same module, so the exports test is not vacuous. */
    @Test
    void internalPackageIsCompiledIntoTheSameModule() throws Exception {
        Path classes = Path.of(Pool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(classes.resolve("io/poolkit/internal/CorePool.class")).exists();
        assertThat(io.poolkit.internal.Durations.class.getProtectionDomain().getCodeSource().getLocation())
                .isEqualTo(Pool.class.getProtectionDomain().getCodeSource().getLocation());
    }
}
