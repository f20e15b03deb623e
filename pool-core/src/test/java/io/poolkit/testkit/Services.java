package io.poolkit.testkit;

import org.junit.jupiter.api.Assumptions;

/**
 * Integration tests that need a real service (PostgreSQL, OpenSSH, bubblewrap) call
 * {@link #require}: on a developer's machine without it the test is skipped with the reason; with
 * {@code CI=true} a missing service is a failure, never a skip.
 */
public final class Services {
    private Services() {
    }

    /** @return whether this run is CI ({@code CI=true}) */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * @param available whether the service is there
     * @param reason what is missing and how to get it, e.g. "PostgreSQL not reachable at 127.0.0.1:5432 (run .ci/run)"
     */
    public static void require(boolean available, String reason) {
        if (available) {
            return;
        }
        if (inCi()) {
            throw new AssertionError("CI=true but a required service is missing: " + reason);
        }
        Assumptions.abort("skipped: " + reason);
    }
}
