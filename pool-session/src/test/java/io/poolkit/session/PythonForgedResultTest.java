package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.ExecutionError.Kind;
import io.poolkit.testkit.PoolChecks;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Python snippet shares its interpreter with the evaluator's loop, so it can write any frame on
 * the evaluator's pipe to the supervisor, a RESULT for its own execution included, and run on (issue
 * 17; the hole the first review of the Python worker left open). The supervisor must not take the
 * evaluator's word that an execution has ended: each shape below, run against the real sandbox
 * without {@code resetBetweenUses}, is the first caller; the second caller of the same pool of one
 * must get its own value and output.
 *
 * <p>Before the fix: a snippet that forged its result and read the request pipe, a {@code SIGALRM}
 * handler that fired while the evaluator waited, and a thread of a child whose main thread had
 * exited (a zombie to {@code /proc/PID/stat}) each read the second caller's code and answered for
 * it; a forged result followed by a busy loop, {@code os._exit}, or the loop's own second result
 * was the first caller's success; two bytes written after the result broke the second caller's.
 * (A thread of the evaluator left reading the request pipe was reported and the session replaced
 * before already, and still is: the check for threads left running runs with the new one.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class PythonForgedResultTest {
    /** Forging frames with the evaluator's own helpers; {@code _steal} answers the next request it reads, in one read. */
    private static final String FORGE = """
            import os, sys, threading, time
            _m = sys.modules['__main__']
            def _forge(eid, value):
                os.write(4, _m.frame(_m.RESULT, _m.Out().long(eid).byte(0).string(value).string('').string('').string('').string('')))
            def _steal():
                b = os.read(3, 1 << 16)
                i = _m.In(b[5:])
                eid = i.long()
                _forge(eid, repr('stolen: ' + i.string()))
                time.sleep(30)
            """;

    private SecureSessionPool pool;

    @BeforeAll
    void start() {
        TestSessions.requireSandbox();
        TestSessions.requirePython();
        pool = SecureSessionPool.builder().name("py-forge").language(Language.PYTHON).size(1).sandbox(true)
                .limits(TestSessions.small()).resetBetweenUses(false) // the shapes a session without a reset must survive
                .closeTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    void stop() {
        if (pool != null) {
            PoolChecks.assertCountsRule(pool::stats);
            pool.close();
        }
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("a forged result, then the request pipe read", """
                        _forge(_m._State.eid, repr('mine'))
                        _steal()
                        """, null),
                Arguments.of("a forged result, then a busy loop", """
                        _forge(_m._State.eid, repr('mine'))
                        while True:
                            pass
                        """, null),
                Arguments.of("a forged result, then os._exit", """
                        _forge(_m._State.eid, repr('mine'))
                        os._exit(0)
                        """, null),
                Arguments.of("a thread forges the result while the main thread returns", """
                        threading.Thread(target=_forge, args=(_m._State.eid, repr('thread'))).start()
                        time.sleep(0.2)
                        'main'
                        """, null),
                Arguments.of("two bytes of a frame after the result, from a thread that ends at once", """
                        def _late():
                            time.sleep(0.02)
                            os.write(4, b'\\x00\\x00')
                        threading.Thread(target=_late).start()
                        'main'
                        """, null),
                Arguments.of("a tool call after the result, from a thread that ends at once", """
                        def _late(eid):
                            time.sleep(0.02)
                            o = _m.Out().long(eid).long(99).string('lookup')
                            _m.write_value(o, {})
                            os.write(4, _m.frame(_m.TOOL_CALL, o))
                        threading.Thread(target=_late, args=(_m._State.eid,)).start()
                        'main'
                        """, null),
                Arguments.of("a SIGALRM handler that takes the request while the evaluator waits", """
                        import signal
                        def _alarm(*a):
                            f = sys._getframe(1)
                            if f.f_code.co_name == 'read_exactly' and f.f_back.f_back.f_code.co_name == 'evaluate' \\
                                    and f.f_locals['n'] == 5 and not f.f_locals['b']:
                                _steal()
                            else:
                                signal.setitimer(signal.ITIMER_REAL, 0.001)
                        signal.signal(signal.SIGALRM, _alarm)
                        import ctypes
                        libc = ctypes.CDLL(None, use_errno=True)
                        refused = []
                        if libc.timer_create(1, None, ctypes.byref(ctypes.c_void_p())) != 0 and ctypes.get_errno() == 1:
                            refused.append('timer_create')
                        if libc.alarm(0) == -1 and ctypes.get_errno() == 1:
                            refused.append('alarm')
                        signal.setitimer(signal.ITIMER_VIRTUAL, 0)  # by the evaluator's own CPU time: allowed
                        try:
                            signal.setitimer(signal.ITIMER_REAL, 0.001)
                        except OSError:
                            refused.append('setitimer')
                        refused
                        """, "['timer_create', 'alarm', 'setitimer']"),
                Arguments.of("a thread of a child whose main thread exited takes the request", """
                        import ctypes, platform
                        if os.fork() == 0:
                            threading.Thread(target=_steal).start()
                            ctypes.CDLL(None).syscall({'x86_64': 60, 'aarch64': 93}[platform.machine()], 0)
                        time.sleep(0.1)
                        'main'
                        """, "'main'"));
    }

    /**
     * @param firstValue the first caller's value when the shape is refused or left as a reported
     *     leftover (the session then recycled), or null when the worker must end: a protocol
     *     violation, {@code SESSION_DIED}, never a success
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void theNextCallerGetsItsOwnResult(String shape, String code, String firstValue) {
        ExecutionResult first = pool.execute(FORGE + code, T);
        if (firstValue == null) {
            assertThat(first.error()).as("%s", first).isPresent();
            assertThat(first.error().orElseThrow().kind()).as("%s", first).isEqualTo(Kind.SESSION_DIED);
        } else {
            assertThat(first.value()).as("%s", first).isEqualTo(firstValue);
        }
        ExecutionResult next = pool.execute("print('own output')\n21 * 2", T);
        assertThat(next.error()).as("%s", next).isEmpty();
        assertThat(next.value()).as("%s", next).isEqualTo("42");
        assertThat(next.stdout()).as("%s", next).isEqualTo("own output\n");
    }
}
