package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.ExecutionError.Kind;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Outcome kinds are exact (DESIGN, issue 13): what the snippet's own objects do while the worker
 * describes them is the snippet's exception, never a success or a dead session; a worker that ends
 * on its own is {@code SESSION_DIED} whatever it printed. Each case failed before: the first came back
 * as a success with an empty value, the next two as {@code SESSION_DIED} (the cycle after seconds),
 * the {@code ThreadDeath} as a success, the null {@code System.out} lost the value, the halt was a
 * {@code LIMIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class OutcomeKindsTest {
    private static final Duration QUICK = Duration.ofSeconds(3);
    private SecureSession session;

    @BeforeAll
    void start() {
        session = TestSessions.session().name("kinds").start();
    }

    @AfterAll
    void stop() {
        session.close();
    }

    @BeforeEach
    void alive() {
        if (!session.isAlive()) {
            session.restart();
        }
    }

    private ExecutionError exception(String code) {
        ExecutionResult r = session.execute(code, T);
        ExecutionError e = r.error().orElseThrow(() -> new AssertionError("a success: " + r));
        assertThat(e.kind()).as("%s", r).isEqualTo(Kind.EXCEPTION);
        assertThat(r.duration()).as("reported at once").isLessThan(QUICK);
        assertThat(session.isAlive()).as("the worker lives on").isTrue();
        return e;
    }

    @Test
    void aValueWhoseToStringThrowsIsAnException() {
        ExecutionError e = exception("class Bad { public String toString() { throw new IllegalStateException(\"no text\"); } }\nnew Bad()");
        assertThat(e.exceptionClass()).contains("java.lang.IllegalStateException");
        assertThat(e.message()).contains("could not be shown").contains("no text");
        assertThat(session.execute("1 + 1", T).value()).isEqualTo("2");
    }

    /** Found while attacking the change: JShell failed on the null text (a NullPointerException in the worker), so SESSION_DIED. */
    @Test
    void aValueWhoseToStringReturnsNullIsShownAsNull() {
        ExecutionResult r = session.execute("class Blank { public String toString() { return null; } }\nnew Blank()", T);
        assertThat(r.error()).as("%s", r).isEmpty();
        assertThat(r.value()).isEqualTo("null");
        assertThat(session.isAlive()).isTrue();
    }

    @Test
    void anExceptionWhoseGetMessageThrowsIsAnException() {
        ExecutionError e = exception("class Sly extends RuntimeException { public String getMessage() { throw new IllegalStateException(); } }\n"
                + "throw new Sly();");
        assertThat(e.exceptionClass().orElseThrow()).endsWith("Sly");
        assertThat(e.message()).contains("getMessage() threw java.lang.IllegalStateException");
    }

    @Test
    void aCyclicCauseChainIsAnException() {
        ExecutionError e = exception("var a = new RuntimeException(\"a\"); var b = new RuntimeException(\"b\", a); a.initCause(b);\nthrow a;");
        assertThat(e.exceptionClass()).contains("java.lang.RuntimeException");
        assertThat(e.message()).isEqualTo("java.lang.RuntimeException: a");
        assertThat(e.stackTrace()).contains("Caused by: java.lang.RuntimeException: b");
    }

    @Test
    @SuppressWarnings("removal")
    void aThrownThreadDeathIsAnException() {
        ExecutionError e = exception("throw new ThreadDeath();");
        assertThat(e.exceptionClass()).contains("java.lang.ThreadDeath");
    }

    /** The worker's gate unwraps the reflective call's InvocationTargetException: a snippet's own one, without a cause, stays the snippet's. */
    @Test
    void aThrownInvocationTargetExceptionWithoutACauseIsAnException() {
        ExecutionError e = exception("throw new java.lang.reflect.InvocationTargetException(null);");
        assertThat(e.exceptionClass()).contains("java.lang.reflect.InvocationTargetException");
    }

    /** Thrown deep in the snippet's thread, above the worker's gate: the snippet's frames are shown, the gate's not. */
    @Test
    void aStackOverflowIsAnExceptionWithTheSnippetsFrames() {
        ExecutionError e = exception("class Down { static int f(int n) { return f(n + 1) + 1; } }\nDown.f(0)");
        assertThat(e.exceptionClass()).contains("java.lang.StackOverflowError");
        assertThat(e.stackTrace()).contains("at f (#").doesNotContain("GuardedControl");
    }

    @Test
    void aThrownOutOfMemoryErrorIsAnExceptionNotALimit() {
        ExecutionError e = exception("throw new OutOfMemoryError(\"made up\");");
        assertThat(e.exceptionClass()).contains("java.lang.OutOfMemoryError");
    }

    @Test
    void aNullSystemOutKeepsTheValue() {
        ExecutionResult r = session.execute("System.setOut(null); 1", T);
        session.restart(); // System.out stays null in this session otherwise
        assertThat(r.error()).as("%s", r).isEmpty();
        assertThat(r.value()).isEqualTo("1");
    }

    @Test
    void aWorkerThatPrintsOutOfMemoryErrorAndHaltsIsSessionDied() {
        ExecutionResult r = session.execute("var real = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);"
                + " real.println(\"Terminating due to java.lang.OutOfMemoryError: Java heap space\");"
                + " System.out.println(\"java.lang.OutOfMemoryError: Java heap space\"); System.out.flush(); Runtime.getRuntime().halt(1);", T);
        ExecutionError e = r.error().orElseThrow();
        assertThat(e.kind()).as("%s", r).isEqualTo(Kind.SESSION_DIED);
        assertThat(e.message()).contains("exit code 1");
        assertThat(session.isAlive()).isFalse();
    }
    /**
     * A null {@code System.err} is the snippet's business: using it is its own NullPointerException, and
     * later snippets still compile. Before, javac (which wraps {@code System.err} when JShell compiles the
     * next snippet) threw, and the execution came back as {@code SESSION_DIED}.
     */
    @Test
    void aNullSystemErrIsTheSnippetsOwnNullPointerException() {
        ExecutionResult r = session.execute("System.setErr(null); 1", T);
        assertThat(r.error()).as("%s", r).isEmpty();
        assertThat(r.value()).isEqualTo("1");
        ExecutionError e = exception("System.setErr(null); System.err.println(\"x\"); 2");
        assertThat(e.message()).contains("NullPointerException");
    }

    /**
     * Exit status 3 is the JVM's own on an OutOfMemoryError: a snippet halting with it (before JDK 24), or
     * a worker thread a snippet stopped, is a dead session, not a {@code LIMIT}. Before, both came back as {@code LIMIT}
     * ("the worker ran out of memory"): the worker halted with 3 itself when one of its threads failed.
     */
    @Test
    void aHaltWithTheOutOfMemoryStatusIsSessionDied() {
        ExecutionResult r = session.execute("Runtime.getRuntime().halt(3); 1", T);
        // from JDK 24 no security manager can turn a snippet's halt(3) into another status: still LIMIT there (README)
        assertThat(r.error().orElseThrow().kind()).as("%s", r).isEqualTo(Runtime.version().feature() < 24 ? Kind.SESSION_DIED : Kind.LIMIT);
        assertThat(r.error().orElseThrow().message()).as("the JDK's notice about the worker's security manager is left out")
                .doesNotContain("setSecurityManager");
    }

    @Test
    @SuppressWarnings("removal")
    void aWorkerThreadStoppedByASnippetIsSessionDiedNotALimit() {
        ExecutionResult r = session.execute("for (Thread t : Thread.getAllStackTraces().keySet()) { if (t.getName().equals(\"poolkit-writer\")) {"
                + " t.stop(); } } Thread.sleep(3000); 1", T);
        // Thread.stop throws UnsupportedOperationException from JDK 20
        assertThat(r.error().orElseThrow().kind()).as("%s", r)
                .isEqualTo(Runtime.version().feature() < 20 ? Kind.SESSION_DIED : Kind.EXCEPTION);
    }
}
