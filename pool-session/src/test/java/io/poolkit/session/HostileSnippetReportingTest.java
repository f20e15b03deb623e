package io.poolkit.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.ExecutionError.Kind;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.AbstractList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** What a snippet does to the worker's reporting (huge messages, long thread names, closed streams, finalizers) and tool values that fail: found in review, each test failed before its fix. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class HostileSnippetReportingTest {
    private static final Duration SHORT = Duration.ofSeconds(6);
    private SecureSession session;

    @BeforeAll
    void start() {
        session = TestSessions.session().name("reporting")
                .tools(Tool.of("lazy", "returns a collection that fails when it is read (a lazy JPA collection)", List.of(),
                        args -> new AbstractList<Object>() {
                            @Override
                            public Object get(int i) {
                                throw new IllegalStateException("failed to lazily initialize a collection: no session");
                            }

                            @Override
                            public int size() {
                                return 1;
                            }
                        }))
                .start();
    }

    @AfterAll
    void stop() {
        session.close();
    }

    private void fresh() {
        if (!session.isAlive()) {
            session.restart();
        }
    }

    /** An exception message over ~0.5 MB makes the RESULT frame exceed 1 MiB: no result, the caller waits out the timeout. */
    @Test
    void aHugeExceptionMessageComesBackAsAnException() {
        fresh();
        ExecutionResult r = session.execute("throw new IllegalStateException(\"x\".repeat(2_000_000));", SHORT);
        assertThat(r.error()).as("%s", r).isPresent();
        assertThat(r.error().get().kind()).as("%s", r).isEqualTo(Kind.EXCEPTION);
        assertThat(r.duration()).isLessThan(Duration.ofSeconds(3));
    }

    /** A thread name over 4096 bytes in the leftover list: the host calls it a protocol violation and kills the worker. */
    @Test
    void aLeftoverThreadWithALongNameDoesNotKillTheSession() {
        fresh();
        ExecutionResult r = session.execute("Thread t = new Thread(() -> { try { Thread.sleep(60_000); } catch (InterruptedException e) { } },"
                + " \"t\".repeat(5000)); t.setDaemon(true); t.start(); 42", SHORT);
        assertThat(r.isSuccess()).as("%s", r).isTrue();
        assertThat(r.value()).isEqualTo("42");
    }

    /** A tool value whose serialisation throws something other than IllegalArgumentException: no reply, the snippet hangs. */
    @Test
    void aToolValueThatFailsToSerialiseSurfacesInTheSnippet() {
        fresh();
        ExecutionResult r = session.execute("tools.call(\"lazy\")", SHORT);
        assertThat(r.error()).as("%s", r).isPresent();
        assertThat(r.error().get().kind()).as("%s", r).isEqualTo(Kind.EXCEPTION);
        assertThat(r.error().get().message()).contains("ToolException");
    }

    /** System.setOut(null): the worker's flush after the run throws an NPE, no RESULT is sent, the caller waits out the timeout. */
    @Test
    void aNullSystemOutDoesNotLoseTheResult() {
        fresh();
        ExecutionResult r = session.execute("System.setOut(null); 1", SHORT);
        session.restart(); // System.out stays null in this session otherwise
        assertThat(r.isSuccess()).as("answered at once, not after the timeout: %s", r).isTrue();
        assertThat(r.duration()).isLessThan(Duration.ofSeconds(3));
        assertThat(r.value()).as("the engine no longer flushes the snippet's System.out itself (issue 13)").isEqualTo("1");
    }

    /** maxWallTime(FOREVER) ("off", as everywhere in poolkit) makes execute() throw ArithmeticException. */
    @Test
    void maxWallTimeForeverDoesNotThrow() {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        try (SecureSession s = TestSessions.session().name("forever").limits(TestSessions.smallLimits().maxWallTime(forever).build()).start()) {
            ExecutionResult r = s.execute("1 + 1", forever);
            assertThat(r.value()).isEqualTo("2");
        }
    }

    /** resetBetweenUses puts back the same PrintStream a snippet closed: every later caller's output is lost. */
    @Test
    void aClosedSystemOutIsPutBackByTheReset() {
        try (SecureSessionPool pool = TestSessions.pool().name("closed-out").size(1).resetBetweenUses(true).build()) {
            assertThat(pool.execute("System.out.close(); System.err.close();", SHORT).isSuccess()).isTrue();
            ExecutionResult r = pool.execute("System.out.print(\"hello\"); System.err.print(\"oops\");", SHORT);
            assertThat(r.stdout()).as("%s", r).isEqualTo("hello");
            assertThat(r.stderr()).as("%s", r).isEqualTo("oops");
        }
    }

    /**
     * Snippet code left running on the JVM's Finalizer thread is not a "new thread", so the session is
     * not recycled, and that code writes into (and could call tools in) the next caller's execution.
     */
    @Test
    void codeLeftRunningOnTheFinalizerThreadRecyclesTheSession() {
        try (SecureSessionPool pool = TestSessions.pool().name("finalizer").size(1).resetBetweenUses(true).build()) {
            ExecutionResult planted = pool.execute("class Spy { protected void finalize() { for (;;) { System.out.print(\"spy;\");"
                    + " try { Thread.sleep(20); } catch (InterruptedException e) { } } } }\n"
                    + "void plant() { new Spy(); }\n"
                    + "plant();\n"
                    + "System.gc();\n"
                    + "Thread.sleep(500);\n", SHORT);
            assertThat(planted.error()).as("%s", planted).isEmpty();
            ExecutionResult next = pool.execute("Thread.sleep(300); 1", SHORT);
            assertThat(next.stdout()).as("another caller's output: %s", next).isEmpty();
        }
    }
}
