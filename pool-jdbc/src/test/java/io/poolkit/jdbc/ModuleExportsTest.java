package io.poolkit.jdbc;

import io.poolkit.testkit.ModuleExports;
import org.junit.jupiter.api.Test;

/** STYLE rule 1: the module exports its API package only; the proxies stay inside. */
class ModuleExportsTest {
    private final ModuleExports module = ModuleExports.of(PooledDataSource.class);

    @Test
    void moduleExportsExactlyTheApiPackage() {
        module.isNamed("io.poolkit.jdbc").exportsExactly("io.poolkit.jdbc").hides("io.poolkit.jdbc.internal").opensNothing();
    }

    @Test
    void moduleRequiresOnlyJavaSqlTheCoreAndSlf4j() {
        module.requiresExactly("java.base", "java.sql", "io.poolkit", "org.slf4j");
    }
}
