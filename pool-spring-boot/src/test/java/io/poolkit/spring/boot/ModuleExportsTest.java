package io.poolkit.spring.boot;

import io.poolkit.testkit.ModuleExports;
import org.junit.jupiter.api.Test;

/** STYLE rule 1: the module exports its API package only, and opens it to Spring alone. */
class ModuleExportsTest {

    @Test
    void moduleExportsTheAutoConfigurationPackageAndOpensItToSpringOnly() {
        ModuleExports.of(PoolkitDataSourceAutoConfiguration.class).isNamed("io.poolkit.spring.boot")
                .exportsExactly("io.poolkit.spring.boot")
                .opensOnly("io.poolkit.spring.boot", "spring.core", "spring.beans", "spring.context");
    }
}
