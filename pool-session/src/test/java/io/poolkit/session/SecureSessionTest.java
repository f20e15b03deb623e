package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.session.ExecutionError.Kind;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** One session, started once for the class, through everything a snippet can do to it short of killing it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class SecureSessionTest {
    private SecureSession session;

    @BeforeAll
    void start() {
        session = TestSessions.session().name("basic").start();
    }

    @AfterAll
    void stop() {
        session.close();
    }

    private ExecutionResult run(String code) {
        return session.execute(code, T);
    }

    @Test
    void expressionValueComesBackAsText() {
        ExecutionResult r = run("1 + 1");
        assertThat(r.isSuccess()).as("%s", r).isTrue();
        assertThat(r.value()).isEqualTo("2");
        assertThat(r.error()).isEmpty();
        assertThat(r.duration()).isPositive();
        assertThat(run("\"a\" + \"b\"").value()).as("strings in quotes, as jshell shows them").isEqualTo("\"ab\"");
        assertThat(run("new int[] {1, 2, 3}").value()).isEqualTo("int[3] { 1, 2, 3 }");
    }

    @Test
    void statePersistsBetweenExecutions() {
        assertThat(run("int base = 20;").isSuccess()).isTrue();
        assertThat(run("int twice(int v) { return v * 2; }").isSuccess()).isTrue();
        assertThat(run("record P(int x) {}").isSuccess()).isTrue();
        assertThat(run("twice(base) + new P(2).x()").value()).isEqualTo("42");
        assertThat(run("import java.util.concurrent.atomic.*;").isSuccess()).isTrue();
        assertThat(run("new AtomicInteger(7).get()").value()).isEqualTo("7");
    }

    @Test
    void severalSnippetsRunInOrderAndTheLastValueWins() {
        ExecutionResult r = run("int a = 1;\nint b = a + 1;\nSystem.out.println(\"b=\" + b);\na + b");
        assertThat(r.isSuccess()).as("%s", r).isTrue();
        assertThat(r.stdout()).isEqualTo("b=2\n");
        assertThat(r.value()).isEqualTo("3");
    }

    @Test
    void statementsAndDeclarationsHaveNoValue() {
        assertThat(run("void nothing() {}").value()).isEmpty();
        assertThat(run("nothing();").value()).isEmpty();
        assertThat(run("// only a comment").isSuccess()).isTrue();
        assertThat(run("   ").isSuccess()).isTrue();
    }

    @Test
    void stdoutAndStderrAreCapturedSeparately() {
        ExecutionResult r = run("System.out.print(\"out \u00e9\"); System.err.print(\"err\"); 5");
        assertThat(r.stdout()).isEqualTo("out \u00e9");
        assertThat(r.stderr()).isEqualTo("err");
        assertThat(r.value()).isEqualTo("5");
    }

    @Test
    void compileErrorSaysWhatAndWhere() {
        ExecutionResult r = run("int y = undefinedThing + 1;");
        assertThat(r.isSuccess()).isFalse();
        ExecutionError e = r.error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.COMPILE_ERROR);
        assertThat(e.message()).contains("cannot find symbol").contains("undefinedThing");
        assertThat(run("foo(").error().orElseThrow().kind()).isEqualTo(Kind.COMPILE_ERROR);
        assertThat(run("String s = 42;").error().orElseThrow().message()).contains("incompatible types");
    }

    @Test
    void laterSnippetsDoNotRunAfterAFailure() {
        ExecutionResult r = run("int before = 1;\nint broken = nope;\nint after = 3;");
        assertThat(r.error().orElseThrow().kind()).isEqualTo(Kind.COMPILE_ERROR);
        assertThat(run("before").value()).isEqualTo("1");
        assertThat(run("after").error().orElseThrow().kind()).as("never defined").isEqualTo(Kind.COMPILE_ERROR);
    }

    @Test
    void exceptionHasClassMessageAndSnippetStack() {
        ExecutionResult r = run("System.out.println(\"first\");\nint boom(int d) { return 10 / d; }\nboom(0)");
        ExecutionError e = r.error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.EXCEPTION);
        assertThat(e.exceptionClass()).contains("java.lang.ArithmeticException");
        assertThat(e.message()).isEqualTo("java.lang.ArithmeticException: / by zero");
        assertThat(e.stackTrace()).contains("boom (#").contains("ArithmeticException")
                .as("the worker's gate and the engine's thread below the snippet are left out").doesNotContain("GuardedControl", "Thread.run");
        assertThat(r.stdout()).as("output before the failure is kept").isEqualTo("first\n");
    }

    @Test
    void causeChainAndCustomExceptionsAreReported() {
        ExecutionResult r = run("throw new IllegalStateException(\"outer\", new java.io.IOException(\"inner\"));");
        ExecutionError e = r.error().orElseThrow();
        assertThat(e.exceptionClass()).contains("java.lang.IllegalStateException");
        assertThat(e.stackTrace()).contains("Caused by: java.io.IOException: inner");
    }

    @Test
    void hugeValuesAreCut() {
        ExecutionResult r = run("\"x\".repeat(200_000)");
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.value()).hasSizeLessThan(70_000).contains("more characters cut");
    }

    @Test
    void badArgumentsAreRejectedWithTheRule() {
        assertThatThrownBy(() -> session.execute("1", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout must be more than zero");
        assertThatThrownBy(() -> session.execute(null, T)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void tooLongCodeIsALimitErrorWithoutReachingTheWorker() {
        String code = "1 +" + " 1 +".repeat(Limits.defaults().maxCodeLength() / 4) + " 1";
        ExecutionResult r = run(code);
        assertThat(r.error().orElseThrow().kind()).isEqualTo(Kind.LIMIT);
        assertThat(r.error().orElseThrow().message()).contains("maxCodeLength");
        assertThat(session.isAlive()).isTrue();
    }

    @Test
    void concurrentCallersAreSerialised() throws Exception {
        run("java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();");
        Threads.run(4, Duration.ofSeconds(40), i -> {
            for (int k = 0; k < 5; k++) {
                ExecutionResult r = run("int now = inside.incrementAndGet(); Thread.sleep(5); int seen = inside.getAndDecrement(); seen");
                assertThat(r.value()).as("one execution at a time: %s", r).isEqualTo("1");
            }
        });
    }

    @Test
    void workerOutlivesTheThreadThatAskedForIt() throws Exception {
        // bubblewrap's --die-with-parent fires when the forking *thread* exits: the session asked for
        // by a short-lived thread must outlive it (workers are spawned from one long-lived thread)
        AtomicReference<SecureSession> made = new AtomicReference<>();
        Thread asker = new Thread(() -> {
            SecureSession s = TestSessions.session().name("outlives").start();
            s.execute("int kept = 5;", T);
            made.set(s);
        }, "short-lived-asker");
        asker.start();
        asker.join(30_000);
        assertThat(asker.isAlive()).isFalse();
        try (SecureSession s = made.get()) {
            assertThat(s).as("the asker started a session").isNotNull();
            ProcessHandle worker = s.worker().handle();
            ExecutionResult r = s.execute("kept + 1", T);
            assertThat(r.value()).as("%s", r).isEqualTo("6");
            assertThat(worker.isAlive()).isTrue();
            assertThat(s.isAlive()).isTrue();
        }
    }
}
