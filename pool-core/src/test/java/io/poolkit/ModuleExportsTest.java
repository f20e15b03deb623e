package io.poolkit;

import io.poolkit.testkit.ModuleExports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** STYLE rule 1: pool-core's module exports its API package only; {@code io.poolkit.internal} stays hidden. */
@Timeout(30)
class ModuleExportsTest {
    private final ModuleExports module = ModuleExports.of(Pool.class);

    @Test
    void moduleIsNamedIoPoolkit() {
        module.isNamed("io.poolkit");
    }

    @Test
    void moduleExportsExactlyTheApiPackage() {
        module.exportsExactly("io.poolkit");
    }

    @Test
    void apiPackageIsExportedToEveryoneNotQualified() {
        module.exportsUnqualified();
    }

    /** The hidden package is really there, in the same module, so the exports test is not vacuous. */
    @Test
    void internalPackageIsCompiledIntoTheSameModuleButNeitherExportedNorOpened() {
        module.hides("io.poolkit.internal").opensNothing();
    }

    @Test
    void moduleRequiresOnlySlf4jJmxAndOptionallyCommonsPool2() {
        module.requiresExactly("java.base", "java.management", "org.slf4j", "org.apache.commons.pool2");
    }
}
