package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.Services;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The adversarial review of the R worker (issue 17) with {@code resetBetweenUses(true)}, the option
 * that separates callers: a sandboxed pool of one, each attack a snippet of the first caller, then
 * the next caller must find nothing of it. Each test failed before its fix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class RHostileReviewTest {
    private SecureSessionPool pool;

    @BeforeAll
    void start() {
        TestSessions.requireSandbox();
        TestSessions.requireR();
        pool = SecureSessionPool.builder().name("r-review").language(Language.R).size(1).sandbox(true).resetBetweenUses(true)
                .limits(TestSessions.small()).closeTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    void stop() {
        if (pool != null) {
            PoolChecks.assertCountsRule(pool::stats);
            pool.close();
        }
    }

    /**
     * A native program (R writes the bytes and runs them with {@code system()}) whose main thread
     * exits alone: {@code /proc/PID/stat} shows a zombie while its thread runs on. Before the fix
     * the supervisor took it for dead: not reported as left running, not killed by the reset, so it
     * lived on beside the next caller's fresh evaluator (in the sandbox, as the same user, able to
     * open that evaluator's FIFOs in /tmp before they are unlinked).
     */
    @Test
    void aProcessWhoseMainThreadExitedDoesNotOutliveTheReset() throws Exception {
        String hex = HexFormat.of().formatHex(compile("zombie-leader.c"));
        ExecutionResult planted = pool.execute("h <- \"" + hex + "\"\n"
                + "writeBin(as.raw(strtoi(substring(h, seq(1, nchar(h), 2), seq(2, nchar(h), 2)), 16L)), \"/tmp/z\")\n"
                + "Sys.chmod(\"/tmp/z\", \"0700\")\nsystem(\"/tmp/z\", wait = FALSE)\n"
                + "for (i in 1:200) if (file.exists(\"/tmp/survivor\")) break else Sys.sleep(0.005)\nfile.exists(\"/tmp/survivor\")", T);
        assertThat(planted.value()).as("the thread ran: %s", planted).isEqualTo("[1] TRUE");
        ExecutionResult next = pool.execute("Sys.sleep(0.05)\nc(file.exists(\"/tmp/survivor\"), length(list.files(\"/proc\", pattern = \"^[0-9]+$\")))", T);
        assertThat(next.value()).as("no file recreated after the reset, and only init, the supervisor and the evaluator: %s", next)
                .isEqualTo("[1] 0 3");
    }

    /**
     * A process's name is the snippet's to choose (here: a symlink to {@code /bin/sh} named
     * {@code x) Z 1}), and {@code /proc/PID/stat} shows it in parentheses before the state. Before
     * the fix the supervisor read the state after the first {@code )}, took the shell for a zombie,
     * and the reset left it running beside the next caller.
     */
    @Test
    void aProcessNamedLikeAZombieDoesNotOutliveTheReset() {
        ExecutionResult planted = pool.execute("file.symlink(\"/bin/sh\", \"/tmp/x) Z 1\")\n"
                + "system(\"'/tmp/x) Z 1' -c 'while :; do : > /tmp/survivor; done'\", wait = FALSE)\n"
                + "for (i in 1:200) if (file.exists(\"/tmp/survivor\")) break else Sys.sleep(0.005)\nfile.exists(\"/tmp/survivor\")", T);
        assertThat(planted.value()).as("the shell ran: %s", planted).isEqualTo("[1] TRUE");
        ExecutionResult next = pool.execute("Sys.sleep(0.05)\nc(file.exists(\"/tmp/survivor\"), length(list.files(\"/proc\", pattern = \"^[0-9]+$\")))", T);
        assertThat(next.value()).as("no file recreated after the reset, and only init, the supervisor and the evaluator: %s", next)
                .isEqualTo("[1] 0 3");
    }

    /**
     * Two symlinks to /tmp in /tmp: before the fix the reset's wipe listed /tmp recursively, which
     * follows symlinked directories (2^40 paths here), the supervisor never came back and the next
     * caller's execution never started.
     */
    @Test
    void symlinkLoopsInTmpDoNotHoldTheReset() {
        ExecutionResult planted = pool.execute("c(file.symlink(\"/tmp\", \"/tmp/a\"), file.symlink(\"/tmp\", \"/tmp/b\"))", T);
        assertThat(planted.value()).as("%s", planted).isEqualTo("[1] TRUE TRUE");
        ExecutionResult next = pool.execute("c(21 * 2, length(list.files(\"/tmp\", pattern = \"^[ab]$\")))", T);
        assertThat(next.value()).as("the next caller's own value, the links gone: %s", next).isEqualTo("[1] 42  0");
    }

    /**
     * A tree 2000 levels deep in /tmp with a locked directory at its bottom. Before the fix the reset
     * opened locked directories down to 32 levels only, and unlink() stopped at R's C stack: the
     * tree and the file stayed for the next caller.
     */
    @Test
    void aDeepTreeInTmpIsWipedByTheReset() {
        ExecutionResult planted = pool.execute("setwd(\"/tmp\")\nfor (i in 1:2000) { dir.create(\"d\"); setwd(\"d\") }\n"
                + "dir.create(\"l\"); writeLines(\"left\", \"l/f\"); Sys.chmod(\"l\", \"0\"); setwd(\"/\")\n\"planted\"", T);
        assertThat(planted.value()).as("%s", planted).isEqualTo("[1] \"planted\"");
        ExecutionResult next = pool.execute("c(21 * 2, length(list.files(\"/tmp\", pattern = \"^d$\")))", T);
        assertThat(next.value()).as("the next caller's own value, the tree gone: %s", next).isEqualTo("[1] 42  0");
    }

    static byte[] compile(String resource) throws Exception {
        Path gcc = io.poolkit.session.internal.Sandbox.onPath("gcc");
        Services.require(gcc != null, "gcc is not installed (the test compiles a native probe):"
                + " run `bash .ci/services/bubblewrap.sh` as root, or apt-get install gcc");
        Path dir = Files.createTempDirectory("r-review");
        Path source = dir.resolve("probe.c");
        Path binary = dir.resolve("probe");
        try {
            try (var in = RHostileReviewTest.class.getResourceAsStream(resource)) {
                Files.write(source, in.readAllBytes());
            }
            Process cc = new ProcessBuilder(gcc.toString(), "-O2", "-s", "-pthread", "-o", binary.toString(), source.toString())
                    .redirectErrorStream(true).start();
            String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cc.waitFor()).as("gcc: %s", out).isZero();
            return Files.readAllBytes(binary);
        } finally {
            Files.deleteIfExists(source);
            Files.deleteIfExists(binary);
            Files.delete(dir);
        }
    }
}
