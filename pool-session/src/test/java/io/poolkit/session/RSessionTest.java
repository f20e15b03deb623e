package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.session.ExecutionError.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * An R session (issue 17) end to end, in the sandbox where it works (always in CI): values, output,
 * errors with their class, parse errors, tools both ways, state, timeouts and an evaluator that ends.
 * One session for the class: an R worker takes about half a second to start.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(90)
class RSessionTest extends ScriptSessionTestBase {
    private static final Duration SHORT = Duration.ofMillis(800);

    @Override
    protected SecureSession.Builder builder() {
        return TestSessions.r().name("r")
                .limits(TestSessions.smallLimits().maxToolCalls(5).maxOutputBytes(64 << 10).build());
    }

    @Test
    void theValueIsWhatPrintShowsOfTheLastVisibleExpression() {
        assertThat(value("1 + 1")).isEqualTo("[1] 2");
        assertThat(value("\"t\u00e9xt\"")).isEqualTo("[1] \"t\u00e9xt\"");
        assertThat(value("list(a = 1, b = \"x\")")).isEqualTo("$a\n[1] 1\n\n$b\n[1] \"x\"\n");
        assertThat(value("x <- 3")).as("an assignment is invisible").isEmpty();
        assertThat(value("invisible(5)")).isEmpty();
        assertThat(value("NULL")).as("as the REPL prints it").isEqualTo("NULL");
        assertThat(value("f <- function(n) n * 2\nf(21)")).isEqualTo("[1] 42");
    }

    @Test
    void stdoutAndStderrAreCapturedApart() {
        ExecutionResult r = run("cat(\"out\", 1, \"\\n\")\nmessage(\"err 2\")\ncat(\"no newline\")\nwarning(\"careful\")\n7");
        assertThat(r.stdout()).isEqualTo("out 1 \nno newline");
        assertThat(r.stderr()).isEqualTo("err 2\nWarning: careful\n");
        assertThat(r.value()).isEqualTo("[1] 7");
        assertThat(run("invisible(system(\"echo from a child\"))").stdout()).as("a child process writes to stdout too")
                .isEqualTo("from a child\n");
    }

    @Test
    void anErrorComesBackWithItsClassAndMessage() {
        ExecutionError e = failure(run("divide <- function(a, b) if (b == 0) stop(\"division by zero\") else a / b\ndivide(1, 0)"));
        assertThat(e.kind()).isEqualTo(Kind.EXCEPTION);
        assertThat(e.exceptionClass()).hasValue("simpleError");
        assertThat(e.message()).isEqualTo("division by zero");
        assertThat(e.stackTrace()).contains("divide(1, 0)").doesNotContain("poolkit");
        ExecutionError custom = failure(run("stop(structure(class = c(\"myError\", \"error\", \"condition\"),"
                + " list(message = \"custom\", call = NULL)))"));
        assertThat(custom.exceptionClass()).hasValue("myError");
        assertThat(failure(run("log(\"a\")")).message()).isEqualTo("non-numeric argument to mathematical function");
        assertThat(session.isAlive()).isTrue();
    }

    /** Outcome kinds are exact: what the snippet's own objects do while the value is shown is its error, never a dead session. */
    @Test
    void aPrintMethodOrConditionThatMisbehavesIsAnException() {
        ExecutionError print = failure(run("print.bad <- function(x, ...) stop(\"cannot print\")\nstructure(1, class = \"bad\")"));
        assertThat(print.kind()).isEqualTo(Kind.EXCEPTION);
        assertThat(print.message()).isEqualTo("cannot print");
        ExecutionError message = failure(run("conditionMessage.bad <- function(c) stop(\"no\")\n"
                + "stop(structure(class = c(\"bad\", \"error\", \"condition\"), list(message = \"x\", call = NULL)))"));
        assertThat(message.kind()).as("stop() asks the method for the message first, as R does").isEqualTo(Kind.EXCEPTION);
        assertThat(message.message()).isEqualTo("no");
        value("options(error = NULL)"); // the next execution puts the evaluator's own handler back
        ExecutionError notAnError = failure(run("stop(structure(class = c(\"odd\", \"condition\"), list(message = \"m\", call = NULL)))"));
        assertThat(notAnError.kind()).as("R's default handler would end a non-interactive R").isEqualTo(Kind.EXCEPTION);
        assertThat(value("1")).isEqualTo("[1] 1");
    }

    @Test
    void aParseErrorIsACompileError() {
        ExecutionError e = failure(run("f <- function( {"));
        assertThat(e.kind()).isEqualTo(Kind.COMPILE_ERROR);
        assertThat(e.message()).contains("unexpected");
        assertThat(value("2")).isEqualTo("[1] 2");
    }

    @Test
    @Order(Integer.MAX_VALUE - 2) // ends or replaces the session: last, so no other test waits for a new R worker
    void statePersistsUntilRestart() {
        value("counter <- 40\nlibrary(stats)");
        assertThat(value("counter <- counter + 2\ncounter")).isEqualTo("[1] 42");
        session.restart();
        ExecutionError e = failure(run("counter"));
        assertThat(e.exceptionClass()).hasValue("simpleError");
        assertThat(e.message()).isEqualTo("object 'counter' not found");
    }

    @Test
    void toolsAreFunctionsByNameAndThroughToolsCall() {
        assertThat(value("lookup(id = 42)")).isEqualTo("[1] \"Ada\"");
        assertThat(value("lookup(7)")).as("positional, in the declared order").isEqualTo("[1] \"Linus\"");
        assertThat(value("tools$call(\"lookup\", id = 42)")).isEqualTo("[1] \"Ada\"");
        assertThat(value("tools$call(\"lookup\", list(id = 7))")).isEqualTo("[1] \"Linus\"");
        assertThat(value("lookup(id = 1)")).isEqualTo("NULL");
        assertThat(value("tools$names()")).isEqualTo("[1] \"echo\"   \"fail\"   \"lookup\"");
    }

    @Test
    void valuesKeepTheirShapesBothWays() {
        String back = value("v <- list(i = 3L, d = 1.5, s = \"t\u00e9xt\", b = TRUE, n = NULL, l = list(1, \"two\"), v = c(1, 2),"
                + " nested = list(k = 9), na = NA, whole = 42, f = factor(\"lvl\"))\n"
                + "r <- echo(value = v)\n"
                + "c(is.integer(r$i), r$d == 1.5, identical(r$s, \"t\u00e9xt\"), isTRUE(r$b), is.null(r$n), is.list(r$l),"
                + " identical(r$nested$k, 9L), identical(r$f, \"lvl\"))");
        assertThat(back).isEqualTo("[1] TRUE TRUE TRUE TRUE TRUE TRUE TRUE TRUE");
        @SuppressWarnings("unchecked")
        Map<String, Object> got = (Map<String, Object>) seen.get(seen.size() - 1).get("value");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("i", 3L);
        expected.put("d", 1.5);
        expected.put("s", "t\u00e9xt");
        expected.put("b", true);
        expected.put("n", null);
        expected.put("l", List.of(1L, "two"));
        expected.put("v", List.of(1L, 2L));
        expected.put("nested", Map.of("k", 9L));
        expected.put("na", null);
        expected.put("whole", 42L);
        expected.put("f", "lvl");
        assertThat(got).containsExactlyEntriesOf(expected);
    }

    @Test
    void toolErrorsAreRaisedInTheSnippet() {
        assertThat(value("tryCatch(tools$call(\"nope\"), poolkit_tool_error = function(e) conditionMessage(e))"))
                .contains("unknown tool 'nope'");
        ExecutionError e = failure(run("fail()"));
        assertThat(e.kind()).isEqualTo(Kind.EXCEPTION);
        assertThat(e.exceptionClass()).hasValue("poolkit_tool_error");
        assertThat(e.message()).contains("IllegalStateException: the backend is down");
        assertThat(failure(run("lookup(id = 1, extra = 2)")).message()).contains("unknown: extra");
        assertThat(failure(run("echo(value = function() 1)")).message()).contains("cannot travel");
        assertThat(failure(run("echo(value = list(a = 1, 2))")).message()).contains("names for some elements but not all");
        ExecutionError limit = failure(run("for (i in 1:6) lookup(id = 42)"));
        assertThat(limit.message()).contains("tool call limit reached: at most 5");
    }

    @Test
    void aBusyLoopIsInterruptedAtItsTimeoutAndTheSessionGoesOn() {
        value("kept <- \"still here\"");
        ExecutionResult r = session.execute("n <- 0\nrepeat { n <- n + 1 }", SHORT);
        assertThat(failure(r).kind()).as("%s", r).isEqualTo(Kind.TIMEOUT);
        assertThat(r.duration()).isBetween(SHORT.minusMillis(50), SHORT.plusMillis(300 + 2_000));
        assertThat(session.isAlive()).as("an R interrupt stopped it, the evaluator lives").isTrue();
        assertThat(value("kept")).isEqualTo("[1] \"still here\"");
        assertThat(value("n > 0")).isEqualTo("[1] TRUE");
    }

    /** The supervisor frames the output within the host's budget: a flood is a LIMIT the host counted, and the evaluator lives on. */
    @Test
    void anOutputFloodIsALimitAndTheSessionGoesOn() {
        ExecutionResult r = run("repeat cat(strrep(\"x\", 1000))");
        assertThat(failure(r).kind()).as("%s", r).isEqualTo(Kind.LIMIT);
        assertThat(r.stdout()).hasSize(64 << 10);
        assertThat(session.isAlive()).isTrue();
        assertThat(value("\"after\"")).isEqualTo("[1] \"after\"");
    }

    @Test
    @Order(Integer.MAX_VALUE - 1) // ends or replaces the session: last, so no other test waits for a new R worker
    void aSnippetThatCatchesTheInterruptIsKilledAfterTheGrace() {
        ExecutionResult r = session.execute("repeat tryCatch(repeat {}, interrupt = function(e) NULL)", SHORT);
        assertThat(failure(r).kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(failure(r).message()).contains("killed");
        assertThat(r.duration()).isLessThan(SHORT.plusMillis(300 + 2_000));
        assertThat(session.isAlive()).isFalse();
    }

    /** An evaluator that ends (quit(), q()) is a dead session, never a success. */
    @Test
    @Order(Integer.MAX_VALUE) // ends or replaces the session: last, so no other test waits for a new R worker
    void anEvaluatorThatEndsIsADeadSession() {
        ExecutionResult r = run("q(status = 3)");
        assertThat(failure(r).kind()).as("%s", r).isEqualTo(Kind.SESSION_DIED);
        assertThat(session.isAlive()).isFalse();
    }

    /** sandbox(false) runs the same worker as this user (its FIFOs in R's own temporary directory, no /tmp wiped). */
    @Test
    void anUnsandboxedSessionRunsTheSameWorker() {
        Path evaluatorTemp;
        try (SecureSession plain = SecureSession.builder().name("r-plain").language(Language.R).sandbox(false)
                .limits(TestSessions.small()).start()) {
            assertThat(plain.execute("x <- 6\nx * 7", T).value()).isEqualTo("[1] 42");
            evaluatorTemp = Path.of(plain.execute("cat(tempdir())", T).stdout());
            assertThat(evaluatorTemp).isDirectory();
        }
        // R removes its temporary directory only when it ends of itself; the pool kills its evaluators and
        // workers, so it must be one the pool removes (not a RtmpXXXXXX left in /tmp per evaluator).
        assertThat(evaluatorTemp).doesNotExist();
    }

    @Test
    void theInterpreterOptionIsForPythonOnly() {
        assertThatThrownBy(() -> TestSessions.session().language(Language.R).interpreter(Path.of("/usr/bin/R")).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("language is R");
    }
}
