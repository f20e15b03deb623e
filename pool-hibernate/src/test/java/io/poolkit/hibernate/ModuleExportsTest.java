package io.poolkit.hibernate;

import io.poolkit.testkit.ModuleExports;
import org.junit.jupiter.api.Test;

/** STYLE rule 1: the module exports its API package only; the strategy registration stays inside. */
class ModuleExportsTest {

    @Test
    void moduleExportsTheProviderPackageAndProvidesTheShortName() {
        ModuleExports.of(PoolkitConnectionProvider.class).isNamed("io.poolkit.hibernate").exportsExactly("io.poolkit.hibernate")
                .hides("io.poolkit.hibernate.internal").opensNothing()
                .providesOnly("org.hibernate.boot.registry.selector.StrategyRegistrationProvider",
                        "io.poolkit.hibernate.internal.PoolkitStrategyRegistrationProvider");
    }
}
