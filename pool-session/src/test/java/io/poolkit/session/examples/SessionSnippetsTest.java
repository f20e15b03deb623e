package io.poolkit.session.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.internal.Sandbox;
import io.poolkit.testkit.Services;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The javadoc examples run, so they stay true. */
@Timeout(60)
class SessionSnippetsTest {

    private static void requireSandbox() {
        String why = null;
        try {
            Sandbox.check(null);
        } catch (RuntimeException e) {
            why = e.getMessage();
        }
        Services.require(why == null, "the examples run sandboxed: " + why);
    }

    @Test
    void sessionExample() {
        requireSandbox();
        assertThat(SessionSnippets.session()).isEqualTo("42");
    }

    @Test
    void poolExample() {
        requireSandbox();
        assertThat(SessionSnippets.pool(Map.of(42L, "Ada"))).isEqualTo("2 \"Ada\" 4");
    }

    @Test
    void pythonExample() {
        requireSandbox();
        Services.require(java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/python3")),
                "the Python example needs /usr/bin/python3 (apt-get install python3)");
        assertThat(SessionSnippets.python(Map.of(42L, "Ada"))).isEqualTo("'ADA' found Ada");
    }

    @Test
    void rExample() {
        requireSandbox();
        Services.require(java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/lib/R/bin/exec/R")),
                "the R example needs Debian's R (apt-get install r-base-core)");
        assertThat(SessionSnippets.r(Map.of(42L, "Ada"))).isEqualTo("[1] \"ADA\" found Ada");
    }

    @Test
    void limitsAndToolExamples() {
        assertThat(SessionSnippets.limits().maxWallTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(SessionSnippets.tool(Map.of()).timeout()).isEqualTo(Duration.ofSeconds(2));
    }
}
