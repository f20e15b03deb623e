package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.internal.Sandbox;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    /**
     * A reset that cannot prove every process of the previous caller gone ends the worker (as the R
     * worker does), never hands it on. A process the kernel keeps past 5 s of SIGKILL (uninterruptible
     * sleep) is not something a test can make on purpose, so the supervisor's own {@code kill_all} runs
     * here with a process table that always shows one more process. It runs in a pid namespace of its
     * own, so its kill(-1) reaches nothing outside. Before the fix the reset waited 5 s, killed once,
     * and carried on: the next evaluator would have started beside the survivor.
     */
    @Test
    void aResetThatCannotProveEveryProcessGoneEndsTheWorker() throws Exception {
        TestSessions.requireSandbox();
        TestSessions.requirePython();
        Path dir = Files.createTempDirectory("py-kill-all");
        Path script = dir.resolve("poolkit_worker.py");
        try (InputStream in = Sandbox.class.getResourceAsStream("poolkit_worker.py")) {
            Files.write(script, in.readAllBytes());
        }
        String driver = "import importlib.util, sys\n"
                + "spec = importlib.util.spec_from_file_location('w', sys.argv[1])\n"
                + "w = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(w)\n"
                + "w.KILL_ALL_SECONDS = 0.3\n"
                + "sup = w.Supervisor.__new__(w.Supervisor)\nsup.sandboxed = True\nsup.ev = None\n"
                + "sup.others = lambda: [4242]\n"  // a process that never goes
                + "sup.kill_all()\n"
                + "print('the reset carried on')\n";
        Path bwrap = Sandbox.check(null).bwrap();
        Process p = new ProcessBuilder(List.of(bwrap.toString(), "--unshare-user", "--unshare-pid", "--die-with-parent",
                "--dev-bind", "/", "/", "--proc", "/proc", "/usr/bin/python3", "-I", "-B", "-c", driver, script.toString()))
                .redirectErrorStream(true).start();
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the supervisor's kill_all ended").isTrue();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(said).as("exit code %d", p.exitValue()).doesNotContain("carried on").contains("1 processes outlived 0.3 s of SIGKILL: 4242");
            assertThat(p.exitValue()).as("%s", said).isEqualTo(4);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(script);
            Files.deleteIfExists(dir);
        }
    }
}
