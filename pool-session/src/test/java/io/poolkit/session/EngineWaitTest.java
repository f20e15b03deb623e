package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.internal.Sandbox;
import io.poolkit.testkit.Services;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JShell's local engine waits for every thread of the invocation's thread group that it finds right
 * after it started the snippet's thread, and a thread belongs to the group of the thread that created
 * it. A snippet that starts a thread at once could be found there when the engine's thread lost the CPU
 * between the start and that look, and the engine then waited for that thread: for the common pool's
 * delay scheduler, which {@code CompletableFuture.delayedExecutor} starts on first use, forever. That
 * was the planted-task attack of {@link SnippetIsolationTest} coming back as a timeout, once in four
 * CI runs on JDK 25 under load.
 *
 * <p>The race cannot be forced from outside the JDK, so it is made likely: the worker is held to one
 * CPU (the snippet's new thread then often runs before the engine's), and one execution runs sixty
 * statements that each start a thread sleeping past the execution's timeout first thing. Before the
 * fix the execution timed out in most runs (a statement's engine waited for a sleeper); with it, the
 * snippet's code starts only once the engine waits for the snippet's thread alone, and it never does.
 */
@Timeout(120)
class EngineWaitTest {
    private static final int STATEMENTS = 60;

    @Test
    void aThreadTheSnippetStartsAtOnceDoesNotHoldItsResult() throws Exception {
        Path taskset = Sandbox.onPath("taskset");
        Services.require(taskset != null, "taskset is not installed (the test holds the worker to one CPU): apt-get install util-linux");
        try (SecureSession s = SecureSession.builder().name("engine-wait").sandbox(false).limits(TestSessions.small()).start()) {
            Process pin = new ProcessBuilder(taskset.toString(), "-a", "-p", "-c", "0", Long.toString(s.worker().pid()))
                    .redirectErrorStream(true).start();
            assertThat(pin.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(pin.exitValue()).as("taskset: %s", new String(pin.getInputStream().readAllBytes())).isZero();
            ExecutionResult declared = s.execute("Runnable sleeper = () -> { try { Thread.sleep(60_000); } catch (InterruptedException e) { } };"
                    + " void go() { Thread t = new Thread(sleeper); t.setDaemon(true); t.start(); }", T);
            assertThat(declared.error()).as("%s", declared).isEmpty();
            ExecutionResult r = s.execute("go();\n".repeat(STATEMENTS) + "6 * 7", T);
            assertThat(r.error()).as("no statement's engine waited for a thread the snippet started: %s", r).isEmpty();
            assertThat(r.value()).isEqualTo("42");
        }
    }
}
