package io.poolkit.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.ModuleExports;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The module exports its API package only; the worker and wire code stay internal. */
class ModuleExportsTest {

    /**
     * On the module path the worker code is read from the module itself (as from a jlink image), not
     * from a class-path directory: a child JVM loads io.poolkit.session as a named module and runs a snippet.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void worksAsANamedModule() throws Exception {
        java.util.List<String> modulePath = new java.util.ArrayList<>(java.util.List.of(Path.of("target/classes").toAbsolutePath().toString()));
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            boolean core = e.contains("pool-core") && !e.contains("tests") && !e.contains("test-classes");
            if (core || e.contains("slf4j-api") || e.contains("commons-pool2")) {
                modulePath.add(e);
            }
        }
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-p", String.join(java.io.File.pathSeparator, modulePath), "--add-modules", "io.poolkit.session",
                "-cp", Path.of("target/test-classes").toAbsolutePath().toString(), io.poolkit.session.outside.ModuleSmoke.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("named=true").contains("value=42");
    }

    @Test
    void exportsOnlyTheApiPackage() {
        ModuleExports.of(SecureSessionPool.class).isNamed("io.poolkit.session").exportsExactly("io.poolkit.session").opensNothing()
                .hides("io.poolkit.session.internal", "io.poolkit.session.internal.worker", "io.poolkit.session.internal.wire",
                        "io.poolkit.session.snippet")
                .requires("io.poolkit", "jdk.jshell", "org.slf4j");
    }
}
