package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Late review of the default reset of a Python pool: a reset kills every process but the supervisor
 * and forks the next evaluator from it, so whatever a snippet can set on the supervisor is inherited
 * by every later caller's evaluator. Its own filter refuses signals and prlimit64 aimed at the
 * supervisor, but not the scheduling calls, which a process may aim at any other of its user.
 */
@Timeout(120)
class PythonLateReviewTest {
    private static final String PROBE = "import os, ctypes\n"
            + "libc = ctypes.CDLL(None, use_errno=True)\n"
            + "(os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0), sorted(os.sched_getaffinity(0)),"
            + " libc.syscall(252, 1, 0))";  // ioprio_get(IOPRIO_WHO_PROCESS, self), x86_64

    @Test
    void aSnippetCannotLowerTheSchedulingOfEveryLaterCallersEvaluator() {
        TestSessions.requireSandbox();
        TestSessions.requirePython();
        try (SecureSessionPool pool = SecureSessionPool.builder().name("py-late-sched").language(Language.PYTHON).size(1).sandbox(true)
                .limits(TestSessions.small()).closeTimeout(Duration.ofSeconds(10)).build()) {
            ExecutionResult fresh = pool.execute(PROBE, T);
            assertThat(fresh.error()).as("%s", fresh).isEmpty();
            ExecutionResult attack = pool.execute("import os, ctypes\nsup = os.getppid()\ndone = []\n"
                    + "libc = ctypes.CDLL(None, use_errno=True)\n"
                    + "for name, f in [('setpriority', lambda: os.setpriority(os.PRIO_PROCESS, sup, 19)),\n"
                    + "    ('sched_setaffinity', lambda: os.sched_setaffinity(sup, {min(os.sched_getaffinity(0))})),\n"
                    + "    ('ioprio_set', lambda: libc.syscall(251, 1, sup, 3 << 13) == 0 or 1 / 0),\n"
                    + "    ('SCHED_IDLE', lambda: os.sched_setscheduler(sup, os.SCHED_IDLE, os.sched_param(0)))]:\n"
                    + "    try:\n        f()\n        done.append(name)\n"
                    + "    except Exception:\n        pass\n"
                    + "done", T);
            ExecutionResult next = pool.execute(PROBE, T);
            assertThat(pool.stats().created()).as("the same worker, reset").isEqualTo(1);
            assertThat(next.value()).as("a later caller's fresh evaluator after %s: %s", attack, next).isEqualTo(fresh.value());
        }
    }
}
