/**
 * Micrometer metrics for poolkit pools.
 */
module io.poolkit.micrometer {
    requires transitive io.poolkit;
    requires micrometer.core; // automatic: users who bind a registry require it themselves

    exports io.poolkit.micrometer;
}
