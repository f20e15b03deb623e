package io.poolkit.bench.pools;

/** Checks that a pool was filled before measuring, so no benchmark times a create. */
final class Warm {
    private Warm() {
    }

    static void check(String pool, int wanted, long idle) {
        if (idle < wanted) {
            throw new IllegalStateException(pool + ": only " + idle + " of " + wanted + " objects idle after warming up");
        }
    }
}
