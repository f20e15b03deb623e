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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Python session (issue 17) end to end, in the sandbox where it works (always in CI): values,
 * output, exceptions, syntax errors, tools both ways, state, timeouts and an evaluator that ends.
 */
@Timeout(90)
class PythonSessionTest extends ScriptSessionTestBase {
    private static final Duration SHORT = Duration.ofMillis(800);

    @Override
    protected SecureSession.Builder builder() {
        return TestSessions.python().name("python")
                .limits(TestSessions.smallLimits().maxToolCalls(5).build());
    }

    @Test
    void theValueIsTheLastExpressionsRepr() {
        assertThat(value("1 + 1")).isEqualTo("2");
        assertThat(value("'text'")).isEqualTo("'text'");
        assertThat(value("[1, 2.5, None, True, {'k': (1, 2)}]")).isEqualTo("[1, 2.5, None, True, {'k': (1, 2)}]");
        assertThat(value("x = 3")).as("a statement has no value").isEmpty();
        assertThat(value("None")).as("None prints nothing, as in the REPL").isEmpty();
        assertThat(value("def f(n):\n    return n * 2\n\nf(21)")).isEqualTo("42");
    }

    @Test
    void stdoutAndStderrAreCapturedApart() {
        ExecutionResult r = run("import sys\nprint('out', 1)\nprint('err', 2, file=sys.stderr)\nsys.stdout.write('no newline')\n7");
        assertThat(r.stdout()).isEqualTo("out 1\nno newline");
        assertThat(r.stderr()).isEqualTo("err 2\n");
        assertThat(r.value()).isEqualTo("7");
        assertThat(run("import os\nos.write(1, b'raw fd 1\\n')").stdout()).as("a write to fd 1 is stdout too").isEqualTo("raw fd 1\n");
    }

    @Test
    void anExceptionComesBackWithItsClassAndMessage() {
        ExecutionError e = failure(run("def divide(a, b):\n    return a / b\n\ndivide(1, 0)"));
        assertThat(e.kind()).isEqualTo(Kind.EXCEPTION);
        assertThat(e.exceptionClass()).hasValue("ZeroDivisionError");
        assertThat(e.message()).isEqualTo("ZeroDivisionError: division by zero");
        assertThat(e.stackTrace()).contains("line 2, in divide").contains("return a / b").doesNotContain("poolkit_worker");
        ExecutionError json = failure(run("import json\njson.loads('{')"));
        assertThat(json.exceptionClass()).hasValue("json.decoder.JSONDecodeError");
        assertThat(session.isAlive()).isTrue();
    }

    /** Outcome kinds are exact: what the snippet's own objects do while the value is shown is its exception. */
    @Test
    void aValueWhoseReprRaisesAndAnExceptionWhoseStrRaisesAreExceptions() {
        ExecutionError bad = failure(run("class Bad:\n    def __repr__(self):\n        raise ValueError('no text')\n\nBad()"));
        assertThat(bad.kind()).isEqualTo(Kind.EXCEPTION);
        assertThat(bad.exceptionClass()).hasValue("ValueError");
        ExecutionError worse = failure(run("class E(Exception):\n    def __str__(self):\n        raise RuntimeError('no')\n\n"
                + "e = E()\ne.__cause__ = e\nraise e"));
        assertThat(worse.kind()).isEqualTo(Kind.EXCEPTION);
        assertThat(worse.exceptionClass()).hasValue("E");
        ExecutionError longName = failure(run("E = type('\\U0001F600' * 1000, (Exception,), {})\nraise E('x')"));
        assertThat(longName.kind()).as("a class name of 4,000 UTF-8 bytes is cut, not a protocol violation").isEqualTo(Kind.EXCEPTION);
        assertThat(value("1")).isEqualTo("1");
    }

    @Test
    void aSyntaxErrorIsACompileError() {
        ExecutionError e = failure(run("def (:\n  pass"));
        assertThat(e.kind()).isEqualTo(Kind.COMPILE_ERROR);
        assertThat(e.message()).contains("SyntaxError");
        assertThat(failure(run("return 5")).kind()).as("a return outside a function").isEqualTo(Kind.COMPILE_ERROR);
        assertThat(value("2")).isEqualTo("2");
    }

    @Test
    void statePersistsUntilRestart() {
        value("counter = 40\nimport math");
        assertThat(value("counter += 2\ncounter")).isEqualTo("42");
        assertThat(value("math.sqrt(16)")).isEqualTo("4.0");
        session.restart();
        ExecutionError e = failure(run("counter"));
        assertThat(e.exceptionClass()).hasValue("NameError");
    }

    @Test
    void aThreadOrProcessLeftRunningIsReportedButOneAboutToEndIsNot() {
        run("import threading, time\nthreading.Thread(target=time.sleep, args=(0.03,)).start()\n1");
        assertThat(session.recycleReason()).as("a thread that ends within the grace").isNull();
        run("import threading, time\nthreading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n1");
        assertThat(session.recycleReason()).contains("1 thread of the evaluator");
        session.restart();
        run("import os, time\nif os.fork() == 0:\n    time.sleep(30)\n    os._exit(0)\n1");
        assertThat(session.recycleReason()).containsPattern("process \\d+");
    }

    @Test
    void toolsAreFunctionsByNameAndThroughToolsCall() {
        assertThat(value("lookup(id=42)")).isEqualTo("'Ada'");
        assertThat(value("lookup(7)")).as("positional, in the declared order").isEqualTo("'Linus'");
        assertThat(value("tools.call('lookup', id=42)")).isEqualTo("'Ada'");
        assertThat(value("tools.call('lookup', {'id': 7})")).isEqualTo("'Linus'");
        assertThat(value("lookup(id=1)")).isEmpty(); // None
        assertThat(value("tools.names()")).isEqualTo("['echo', 'fail', 'lookup']");
    }

    @Test
    void valuesKeepTheirTypesBothWays() {
        String back = value("v = {'i': 3, 'd': 1.5, 's': 't\u00e9xt', 'b': True, 'n': None, 'l': [1, 'two'], 't': (1, 2),"
                + " 'nested': {'k': 9}, 'big': 2 ** 70}\n"
                + "r = echo(value=v)\n"
                + "(r['i'], r['d'], r['s'], r['b'], r['n'], r['l'], r['t'], r['nested'], r['big'], type(r['i']).__name__)");
        assertThat(back).isEqualTo("(3, 1.5, 't\u00e9xt', True, None, [1, 'two'], [1, 2], {'k': 9}, '1180591620717411303424', 'int')");
        @SuppressWarnings("unchecked")
        Map<String, Object> got = (Map<String, Object>) seen.get(seen.size() - 1).get("value");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("i", 3L);
        expected.put("d", 1.5);
        expected.put("s", "t\u00e9xt");
        expected.put("b", true);
        expected.put("n", null);
        expected.put("l", List.of(1L, "two"));
        expected.put("t", List.of(1L, 2L));
        expected.put("nested", Map.of("k", 9L));
        expected.put("big", "1180591620717411303424");
        assertThat(got).containsExactlyEntriesOf(expected);
    }

    @Test
    void toolErrorsAreRaisedInTheSnippet() {
        assertThat(value("try:\n    tools.call('nope')\nexcept ToolError as e:\n    m = str(e)\nm")).contains("unknown tool 'nope'");
        ExecutionError e = failure(run("fail()"));
        assertThat(e.kind()).isEqualTo(Kind.EXCEPTION);
        assertThat(e.exceptionClass()).hasValue("poolkit.ToolError");
        assertThat(e.message()).contains("IllegalStateException: the backend is down");
        assertThat(failure(run("lookup(id=1, extra=2)")).message()).contains("unknown: extra");
        assertThat(failure(run("echo(value=object())")).message()).contains("cannot travel");
        ExecutionError limit = failure(run("for i in range(6):\n    lookup(id=42)"));
        assertThat(limit.message()).contains("tool call limit reached: at most 5");
    }

    @Test
    void aBusyLoopIsInterruptedAtItsTimeoutAndTheSessionGoesOn() {
        value("kept = 'still here'");
        ExecutionResult r = session.execute("n = 0\nwhile True:\n    n += 1", SHORT);
        assertThat(failure(r).kind()).as("%s", r).isEqualTo(Kind.TIMEOUT);
        assertThat(r.duration()).isBetween(SHORT.minusMillis(50), SHORT.plusMillis(300 + 2_000));
        assertThat(session.isAlive()).as("KeyboardInterrupt stopped it, the evaluator lives").isTrue();
        assertThat(value("kept")).isEqualTo("'still here'");
        assertThat(value("n > 0")).isEqualTo("True");
    }

    @Test
    void aSnippetThatIgnoresTheInterruptIsKilledAfterTheGrace() {
        ExecutionResult r = session.execute("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass", SHORT);
        assertThat(failure(r).kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(failure(r).message()).contains("killed");
        assertThat(r.duration()).isLessThan(SHORT.plusMillis(300 + 2_000));
        assertThat(session.isAlive()).isFalse();
    }

    /** An evaluator that ends is a dead session, never a success (issue 17, the lost attempt's review). */
    @Test
    void anEvaluatorThatEndsIsADeadSession() {
        for (String exit : List.of("import os\nos._exit(0)", "quit()", "import sys\nsys.exit(3)", "raise SystemExit")) {
            session.restart();
            ExecutionResult r = run(exit);
            assertThat(failure(r).kind()).as("%s: %s", exit, r).isEqualTo(Kind.SESSION_DIED);
            assertThat(session.isAlive()).isFalse();
        }
    }

    /** sandbox(false) runs the same worker as this user (no kill(-1) then: a reset ends what the evaluator started, by parentage). */
    @Test
    void anUnsandboxedSessionRunsTheSameWorker() {
        try (SecureSession plain = SecureSession.builder().name("py-plain").language(Language.PYTHON).sandbox(false)
                .limits(TestSessions.small()).start()) {
            assertThat(plain.execute("import os\nx = 6\nx * 7", T).value()).isEqualTo("42");
            ExecutionResult forked = plain.execute("import os, time\nchild = os.fork()\nif child == 0:\n    time.sleep(60)\n    os._exit(0)\n"
                    + "child", T);
            long child = Long.parseLong(forked.value());
            assertThat(ProcessHandle.of(child)).as("the snippet's process runs on the host").isPresent();
            plain.resetState();
            assertThat(plain.execute("'x' in globals()", T).value()).isEqualTo("False");
            io.poolkit.testkit.Await.until(Duration.ofSeconds(10), () -> ended(child), () -> "the reset ended the snippet's process " + child);
        }
    }

    /** On a root host the sandbox runs as nobody: an interpreter under a private directory (a pyenv in /root) is refused by name. */
    @Test
    void anInterpreterTheSandboxUserCannotReachIsAClearStartError() throws Exception {
        io.poolkit.testkit.Services.require(TestSessions.sandboxed(), "needs the sandbox");
        org.junit.jupiter.api.Assumptions.assumeTrue(Integer.valueOf(0).equals(java.nio.file.Files.getAttribute(Path.of("/proc/self"),
                "unix:uid")), "only a root host runs the sandbox as another user");
        // not under /tmp (which the sandbox replaces, refused before this check): under target/,
        // or /var/tmp when the checkout itself is under /tmp (a clone there)
        Path target = Path.of("target").toAbsolutePath();
        Path base = target.startsWith("/tmp") ? Path.of("/var/tmp") : target;
        Path dir = java.nio.file.Files.createTempDirectory(base, "py-install");
        try {
            Path binary = ownInstallation(dir.resolve("private/python"));
            java.nio.file.Files.setPosixFilePermissions(dir.resolve("private"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            assertThatThrownBy(() -> TestSessions.session().language(Language.PYTHON).interpreter(binary).start())
                    .isInstanceOf(SessionStartException.class).hasMessageContaining("is closed to other users")
                    .hasMessageContaining(dir.resolve("private/python").toString());
        } finally {
            try (var all = java.nio.file.Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        }
    }

    /** An installation under /tmp would be hidden by the sandbox's own /tmp: refused by name, not a worker that cannot start. */
    @Test
    void anInterpreterUnderTmpIsAClearStartError(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        io.poolkit.testkit.Services.require(TestSessions.sandboxed(), "needs the sandbox");
        Path binary = ownInstallation(dir.resolve("python"));
        assertThat(dir.toString()).startsWith("/tmp");
        assertThatThrownBy(() -> TestSessions.session().language(Language.PYTHON).interpreter(binary).start())
                .isInstanceOf(SessionStartException.class).hasMessageContaining("which the sandbox replaces with its own");
    }

    /** An installation of its own under {@code prefix}: Debian's binary, and its standard library where CPython looks (lib/python3.N). */
    private static Path ownInstallation(Path prefix) throws java.io.IOException {
        java.nio.file.Files.createDirectories(prefix.resolve("bin"));
        java.nio.file.Files.createDirectories(prefix.resolve("lib"));
        Path binary = prefix.resolve("bin/python3");
        Path debian = Path.of("/usr/bin/python3").toRealPath();
        java.nio.file.Files.copy(debian, binary);
        java.nio.file.Files.createSymbolicLink(prefix.resolve("lib").resolve(debian.getFileName().toString()),
                Path.of("/usr/lib").resolve(debian.getFileName().toString()));
        return binary;
    }

    /** Gone, or a zombie its new parent has not reaped yet. */
    private static boolean ended(long pid) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException gone) {
            return true;
        }
    }

    @Test
    void aMissingInterpreterOrAShimIsAClearStartError(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path shim = dir.resolve("python3");
        java.nio.file.Files.writeString(shim, "#!/bin/sh\nexec /usr/bin/python3 \"$@\"\n");
        shim.toFile().setExecutable(true);
        assertThatThrownBy(() -> TestSessions.session().language(Language.PYTHON).interpreter(shim).start())
                .isInstanceOf(SessionStartException.class).hasMessageContaining("is not a binary");
        assertThatThrownBy(() -> TestSessions.session().language(Language.PYTHON).interpreter(Path.of("/nowhere/python3")).start())
                .isInstanceOf(SessionStartException.class).hasMessageContaining("/nowhere/python3 is not there");
        assertThatThrownBy(() -> TestSessions.session().interpreter(Path.of("/usr/bin/python3")).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("language is JAVA");
    }
}
