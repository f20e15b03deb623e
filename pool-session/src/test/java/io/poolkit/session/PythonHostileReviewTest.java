package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.ExecutionError.Kind;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The second adversarial review of the Python worker (issue 17), each attack a new snippet against
 * the real sandbox: the evaluator must not signal its supervisor by any route (also not by making
 * it the owner of a descriptor's I/O signals), and an outcome the snippet shapes (an exception
 * class whose names raise, a repr that is a str subclass with its own methods) is its own outcome
 * kind, never a dead session.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class PythonHostileReviewTest {
    private SecureSession session;

    @BeforeAll
    void start() {
        TestSessions.requireSandbox();
        TestSessions.requirePython();
        session = SecureSession.builder().name("py-review").sandbox(true).language(Language.PYTHON)
                .limits(TestSessions.smallLimits().tmpSize("8m").build()).start();
    }

    @AfterAll
    void stop() {
        if (session != null) {
            session.close();
        }
    }

    private ExecutionResult run(String code) {
        if (!session.isAlive() || session.recycleReason() != null) {
            session.restart();
        }
        return session.execute(code, T);
    }

    /**
     * fcntl(F_SETOWN) makes a process the target of a descriptor's SIGIO, and F_SETSIG picks the
     * signal, SIGKILL included: the kernel sends it on the next I/O, here when the supervisor writes
     * the next EXECUTE to (or, at a reset, closes) the evaluator's control pipe. Before the fix the
     * supervisor was killed and the next caller got SESSION_DIED, with and without a reset.
     */
    @Test
    void theEvaluatorCannotMakeTheSupervisorTheOwnerOfItsSignals() {
        String attempt = "import fcntl, os, signal, socket\nsup = os.getppid()\nrefused = []\n"
                + "a, b = socket.socketpair()\n"
                + "for name, fd, cmd, arg in [('F_SETOWN', 3, fcntl.F_SETOWN, sup), ('F_SETOWN group', 3, fcntl.F_SETOWN, -os.getpgid(sup)),\n"
                + "    ('F_SETOWN_EX', 3, 15, 0), ('FIOSETOWN', a.fileno(), 0x8901, 0), ('SIOCSPGRP', a.fileno(), 0x8902, 0)]:\n"
                + "    try:\n"
                + "        if cmd == 15:\n            import struct\n            fcntl.fcntl(fd, cmd, struct.pack('ii', 1, sup))\n"
                + "        elif cmd > 0x8000:\n            import struct\n            fcntl.ioctl(fd, cmd, struct.pack('i', sup))\n"
                + "        else:\n            fcntl.fcntl(fd, cmd, arg)\n"
                + "    except PermissionError:\n        refused.append(name)\n"
                + "fcntl.fcntl(3, 10, signal.SIGKILL)\n"  // F_SETSIG
                + "fcntl.fcntl(3, fcntl.F_SETFL, fcntl.fcntl(3, fcntl.F_GETFL) | os.O_ASYNC)\n"
                + "a.setblocking(False)\n"
                + "refused";
        ExecutionResult r = run(attempt);
        assertThat(r.value()).as("%s", r).isEqualTo("['F_SETOWN', 'F_SETOWN group', 'F_SETOWN_EX', 'FIOSETOWN', 'SIOCSPGRP']");
        ExecutionResult next = run("21 * 2");
        assertThat(next.value()).as("%s", next).isEqualTo("42");
    }

    /**
     * prlimit64 sets another process's limits: an open-files limit of 3 on the supervisor, or a CPU
     * limit of one second, ends it at its next accept or after a second's work, in the next caller's
     * execution or at the next reset. Found in the R worker's review (its sandbox filter refuses it);
     * before the fix the evaluator's own filter let all three through.
     */
    @Test
    void theEvaluatorCannotSetTheSupervisorsOrInitsLimits() {
        String attempt = "import os, resource\nrefused = []\n"
                + "for name, pid, which, value in [('supervisor NOFILE', os.getppid(), resource.RLIMIT_NOFILE, (3, 3)),\n"
                + "    ('supervisor CPU', os.getppid(), resource.RLIMIT_CPU, (1, 1)), ('init NOFILE', 1, resource.RLIMIT_NOFILE, (3, 3))]:\n"
                + "    try:\n        resource.prlimit(pid, which, value)\n"
                + "    except PermissionError:\n        refused.append(name)\n"
                + "refused.append(resource.prlimit(0, resource.RLIMIT_CORE) is not None)\n"  // its own limits stay its own
                + "refused";
        ExecutionResult r = run(attempt);
        assertThat(r.value()).as("%s", r).isEqualTo("['supervisor NOFILE', 'supervisor CPU', 'init NOFILE', True]");
        ExecutionResult next = run("21 * 2");
        assertThat(next.value()).as("%s", next).isEqualTo("42");
    }

    @Test
    void theSupervisorSurvivesAnOwnedPipeAtAResetAndTheNextCallerGetsItsOwnResult() {
        try (SecureSessionPool pool = SecureSessionPool.builder().name("py-review-reset").language(Language.PYTHON).size(1).sandbox(true)
                .limits(TestSessions.small()).resetBetweenUses(true).closeTimeout(Duration.ofSeconds(10)).build()) {
            ExecutionResult planted = pool.execute("import fcntl, os, signal\nfor sig in (signal.SIGKILL,):\n"
                    + "    try:\n        fcntl.fcntl(3, fcntl.F_SETOWN, os.getppid())\n    except PermissionError:\n        pass\n"
                    + "fcntl.fcntl(3, 10, signal.SIGKILL)\n"
                    + "fcntl.fcntl(3, fcntl.F_SETFL, fcntl.fcntl(3, fcntl.F_GETFL) | os.O_ASYNC)\n'planted'", T);
            assertThat(planted.value()).as("%s", planted).isEqualTo("'planted'");
            ExecutionResult next = pool.execute("21 * 2", T);
            assertThat(next.value()).as("%s", next).isEqualTo("42");
            assertThat(pool.stats().created()).as("the same worker, reset, not a new one").isEqualTo(1);
        }
    }

    /**
     * A directory tree in /tmp deeper than Python's recursion limit (1500 levels, a locked one at the
     * bottom). Before the fix the reset's wipe recursed, the supervisor died of a RecursionError and
     * the next caller got SESSION_DIED.
     */
    @Test
    void aDeepTreeInTmpDoesNotEndTheSupervisorAtTheReset() {
        try (SecureSessionPool pool = SecureSessionPool.builder().name("py-review-deep").language(Language.PYTHON).size(1).sandbox(true)
                .limits(TestSessions.small()).resetBetweenUses(true).closeTimeout(Duration.ofSeconds(10)).build()) {
            ExecutionResult planted = pool.execute("import os\nos.chdir('/tmp')\nfor i in range(1500):\n    os.mkdir('d')\n"
                    + "    os.chdir('d')\nos.mkdir('locked')\nopen('locked/f', 'w').close()\nos.chmod('locked', 0)\nos.chdir('/')\n'planted'", T);
            assertThat(planted.value()).as("%s", planted).isEqualTo("'planted'");
            ExecutionResult next = pool.execute("import os\n(21 * 2, os.listdir('/tmp'))", T);
            assertThat(next.value()).as("%s", next).isEqualTo("(42, [])");
            assertThat(pool.stats().created()).as("the same worker, reset, not a new one").isEqualTo(1);
        }
    }

    /** An exception class whose metaclass refuses its names: the snippet's exception, not a dead evaluator. */
    @Test
    void anExceptionClassWhoseNamesRaiseIsAnException() {
        ExecutionResult r = run("class M(type):\n    def __getattribute__(cls, name):\n"
                + "        if name in ('__module__', '__qualname__', '__name__'):\n            raise RuntimeError('no names')\n"
                + "        return super().__getattribute__(name)\n"
                + "class Nameless(Exception, metaclass=M):\n    pass\nraise Nameless('boom')");
        assertThat(r.error().orElseThrow(() -> new AssertionError("a success: " + r)).kind()).as("%s", r).isEqualTo(Kind.EXCEPTION);
        assertThat(r.error().orElseThrow().exceptionClass()).as("%s", r).hasValue("Nameless");
        assertThat(session.isAlive()).isTrue();
    }

    /** A __qualname__ that is a str subclass with its own encode(): the class name travels as plain text. */
    @Test
    void anExceptionClassNamedByAStrSubclassIsAnException() {
        ExecutionResult r = run("class S(str):\n    def encode(self, *a, **k):\n        raise RuntimeError('no bytes')\n"
                + "    def __len__(self):\n        return 0\n"
                + "class E(Exception):\n    pass\nE.__qualname__ = S('Odd')\nE.__module__ = '__main__'\nraise E('boom')");
        assertThat(r.error().orElseThrow(() -> new AssertionError("a success: " + r)).kind()).as("%s", r).isEqualTo(Kind.EXCEPTION);
        assertThat(session.isAlive()).isTrue();
    }

    /** An exception whose __notes__ raises KeyboardInterrupt, or whose message's __format__ does: the snippet's exception, with its class. */
    @Test
    void anExceptionWhoseNotesOrMessageRaiseIsAnException() {
        ExecutionResult r = run("class Loud(Exception):\n    @property\n    def __notes__(self):\n        raise KeyboardInterrupt\n"
                + "raise Loud('x')");
        assertThat(r.error().orElseThrow(() -> new AssertionError("a success: " + r)).kind()).as("%s", r).isEqualTo(Kind.EXCEPTION);
        assertThat(r.error().orElseThrow().exceptionClass()).as("%s", r).hasValue("Loud");
        ExecutionResult f = run("class S(str):\n    def __format__(self, spec):\n        raise KeyboardInterrupt\n"
                + "class Odd(Exception):\n    def __str__(self):\n        return S('odd')\nraise Odd()");
        assertThat(f.error().orElseThrow(() -> new AssertionError("a success: " + f)).kind()).as("%s", f).isEqualTo(Kind.EXCEPTION);
        assertThat(f.error().orElseThrow().exceptionClass()).as("%s", f).hasValue("Odd");
        assertThat(session.isAlive()).isTrue();
    }

    /** repr() may return a str subclass; its own encode() or __len__ must not decide how the value travels. */
    @Test
    void aReprThatIsAStrSubclassTravelsAsPlainText() {
        ExecutionResult r = run("class S(str):\n    def encode(self, *a, **k):\n        raise RuntimeError('no bytes')\n"
                + "    def __len__(self):\n        return 0\n"
                + "class V:\n    def __repr__(self):\n        return S('value')\nV()");
        assertThat(r.isSuccess()).as("%s", r).isTrue();
        assertThat(r.value()).isEqualTo("value");
        ExecutionResult big = run("class S(str):\n    def __len__(self):\n        return 0\n"
                + "class V:\n    def __repr__(self):\n        return S('x' * (3 << 20))\nV()");
        assertThat(big.isSuccess()).as("%s", big.error()).isTrue();
        assertThat(big.value()).hasSizeLessThan(70 * 1024).endsWith("characters cut)");
    }

    /**
     * A fresh evaluator after a reset is a fork of the supervisor, whose heap has relayed every
     * earlier execution's code, output, tool results and result: before the fix the next tenant
     * read the last one's secrets from freed memory of its own process (ctypes over
     * /proc/self/maps), with resetBetweenUses(true).
     */
    @Test
    void aResetEvaluatorHoldsNothingOfTheLastTenantsCodeOutputOrResult() {
        String secret = "S" + Long.toHexString(Double.doubleToLongBits(Math.random())) + "Q";
        try (SecureSessionPool pool = SecureSessionPool.builder().name("py-review-heap").language(Language.PYTHON).size(1).sandbox(true)
                .limits(TestSessions.small()).resetBetweenUses(true).closeTimeout(Duration.ofSeconds(10)).build()) {
            for (int i = 0; i < 3; i++) {
                ExecutionResult a = pool.execute("mine = 'tenantA:code" + secret + "'\nprint('tenantA:out" + secret + "')\n"
                        + "'tenantA:value" + secret + "'", T);
                assertThat(a.value()).as("%s", a).contains(secret);
            }
            ExecutionResult b = pool.execute("import ctypes, re\n" + "needle = ('tenant' + 'A:').encode()\n" + "found = set()\n" + "for line in open('/proc/self/maps'):\n" + "    parts = line.split()\n" + "    if not parts[1].startswith('rw'):\n" + "        continue\n" + "    lo, hi = (int(x, 16) for x in parts[0].split('-'))\n" + "    if hi - lo > (256 << 20):\n" + "        continue\n" + "    try:\n" + "        mem = ctypes.string_at(lo, hi - lo)\n" + "    except Exception:\n" + "        continue\n" + "    for m in re.finditer(re.escape(needle) + rb'[A-Za-z0-9]{6,40}', mem):\n" + "        found.add(m.group().decode())\n" + "sorted(found)\n", T);
            assertThat(b.isSuccess()).as("%s", b).isTrue();
            assertThat(b.value()).as("what the next tenant found").doesNotContain(secret);
        }
    }
}
