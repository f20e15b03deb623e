package io.poolkit.session.outside;

import io.poolkit.session.Limits;
import io.poolkit.session.SecureSession;
import java.time.Duration;

/**
 * Run by {@code ModuleExportsTest} in a child JVM with io.poolkit.session on the module path; in a
 * package of its own, since the module owns io.poolkit.session.
 */
public final class ModuleSmoke {
    private ModuleSmoke() {
    }

    public static void main(String[] args) {
        try (SecureSession s = SecureSession.builder().sandbox(false).limits(Limits.builder().heap("128m").metaspace("128m").build()).start()) {
            System.out.println("named=" + SecureSession.class.getModule().isNamed());
            System.out.println("value=" + s.execute("6 * 7", Duration.ofSeconds(20)).value());
        }
    }
}
