package io.poolkit.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A process a snippet starts and detaches (its child starts a grandchild and exits, so the grandchild
 * is re-parented to the sandbox's init) is no child of the worker: it must still be reported as left
 * running, so the session is not handed to the next caller, who would share the worker's /tmp and pid
 * namespace with it (DESIGN pool-session "Tenants"; the Python and R workers prove every process gone
 * on a reset). The snippet also waits out the JDK's process reaper thread (idle for 60 s, then it ends),
 * which would otherwise be reported as a thread left running: so the test runs for about 70 s, and the
 * pool allows executions that long.
 */
// Runs with -Pslow (pool-session's pom): a minute or more, too long for every verify.
@Timeout(240)
class DetachedProcessIT {
    /** Started with no argument it starts itself again with one, detached from its output, and exits; with one it stays 3 minutes. */
    private static final String DETACH = """
            import java.nio.file.*;
            public class Detach {
                public static void main(String[] a) throws Exception {
                    String java = System.getProperty("java.home") + "/bin/java";
                    if (a.length == 0) {
                        new ProcessBuilder(java, "-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "/tmp/Detach.java", "stay")
                                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                        return;
                    }
                    Files.writeString(Path.of("/tmp/detached"), Long.toString(ProcessHandle.current().pid()));
                    Thread.sleep(180_000);
                }
            }
            """;

    private static final String SNIPPET = "var java = System.getProperty(\"java.home\") + \"/bin/java\";\n"
            + "Files.writeString(Path.of(\"/tmp/Detach.java\"), \"\"\"\n" + DETACH + "\"\"\");\n"
            + "var child = new ProcessBuilder(java, \"-Xmx48m\", \"-XX:TieredStopAtLevel=1\", \"-XX:+UseSerialGC\", \"/tmp/Detach.java\")"
            + ".redirectErrorStream(true).start();\n"
            + "String said = new String(child.getInputStream().readAllBytes());\n"
            + "int exit = child.waitFor();\n"
            + "var mark = Path.of(\"/tmp/detached\");\n"
            + "for (int i = 0; i < 600 && !Files.exists(mark); i++) { Thread.sleep(50); }\n"
            // the reaper thread that waited for the child ends after 60 s without work
            + "for (var t : Thread.getAllStackTraces().keySet()) { if (t.getName().equals(\"process reaper\")) { t.join(75_000); } }\n"
            + "(exit + \" \" + Files.exists(mark) + \" \" + said).strip()";

    private SecureSessionPool pool;

    @RegisterExtension
    final OpenPools pools = new OpenPools();

    @Test
    void aProcessReParentedToTheSandboxsInitIsReportedAsLeftRunning() {
        TestSessions.requireSandbox();
        Limits limits = TestSessions.smallLimits().maxWallTime(Duration.ofSeconds(150)).build();
        pool = pools.add(TestSessions.pool().name("detached").size(1).limits(limits).resetBetweenUses(false).build());
        ExecutionResult planted = pool.execute(SNIPPET, Duration.ofSeconds(140), Duration.ofSeconds(60));
        assertThat(planted.error()).as("%s", planted).isEmpty();
        assertThat(planted.value()).as("the child exited and its child stayed").isEqualTo("\"0 true\"");

        ExecutionResult next = pool.execute("ProcessHandle.allProcesses().filter(p -> p.pid() != ProcessHandle.current().pid()"
                + " && ProcessHandle.current().parent().map(q -> q.pid() != p.pid()).orElse(true)).count() + \" \""
                + " + Files.exists(Path.of(\"/tmp/detached\"))", TestSessions.T, Duration.ofSeconds(60));
        assertThat(next.value()).as("the next caller shares its sandbox with no process of the earlier one: %s", next)
                .isEqualTo("\"0 false\"");
    }
}
