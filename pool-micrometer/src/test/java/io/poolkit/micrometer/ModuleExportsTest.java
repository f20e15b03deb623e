package io.poolkit.micrometer;

import io.poolkit.testkit.ModuleExports;
import org.junit.jupiter.api.Test;

/** STYLE rule 1: the module exports its API package only, and depends on the core and Micrometer alone. */
class ModuleExportsTest {

    @Test
    void moduleExportsExactlyTheApiPackageAndRequiresOnlyTheCoreAndMicrometer() {
        ModuleExports.of(PoolMetrics.class).isNamed("io.poolkit.micrometer").exportsExactly("io.poolkit.micrometer").opensNothing()
                .requiresExactly("java.base", "io.poolkit", "micrometer.core");
    }
}
