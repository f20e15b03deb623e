package io.poolkit.session;

import io.poolkit.session.internal.Sandbox;
import io.poolkit.testkit.Services;
import java.time.Duration;

/** What the session tests share: whether the sandbox can run here, and builders that use it when it can. */
final class TestSessions {
    static final Duration T = Duration.ofSeconds(20);

    private static volatile String unavailable;
    private static volatile boolean checked;

    private TestSessions() {
    }

    /** @return null when bubblewrap can build a sandbox here, else why not */
    static String sandboxUnavailable() {
        if (!checked) {
            try {
                Sandbox.check(null);
            } catch (SandboxUnavailableException e) {
                unavailable = e.getMessage();
            }
            checked = true;
        }
        return unavailable;
    }

    static boolean sandboxed() {
        return sandboxUnavailable() == null;
    }

    /** Skips (locally) or fails (CI=true) a test that needs the real sandbox. */
    static void requireSandbox() {
        Services.require(sandboxed(), "bubblewrap cannot build a sandbox here (" + sandboxUnavailable()
                + "); run `bash .ci/services/bubblewrap.sh` as root");
    }

    /** A session builder: sandboxed where the sandbox works (always in CI), else unsandboxed so the behaviour tests still run. */
    static SecureSession.Builder session() {
        return SecureSession.builder().sandbox(sandboxed()).limits(small());
    }

    static SecureSessionPool.Builder pool() {
        return SecureSessionPool.builder().sandbox(sandboxed()).limits(small()).closeTimeout(Duration.ofSeconds(10));
    }

    /** Skips (locally) or fails (CI=true) a test that needs Debian's python3. */
    static void requirePython() {
        Services.require(java.nio.file.Files.isExecutable(io.poolkit.session.internal.PythonWorker.DEFAULT_INTERPRETER),
                "Python sessions need " + io.poolkit.session.internal.PythonWorker.DEFAULT_INTERPRETER
                        + ": apt-get install python3 (or source .ci/services/interpreters.sh as root)");
    }

    /** A Python session builder: sandboxed where the sandbox works (always in CI). */
    static SecureSession.Builder python() {
        requirePython();
        return session().language(Language.PYTHON);
    }

    static SecureSessionPool.Builder pythonPool() {
        requirePython();
        return pool().language(Language.PYTHON);
    }

    /** Skips (locally) or fails (CI=true) a test that needs Debian's R. */
    static void requireR() {
        Services.require(java.nio.file.Files.isExecutable(io.poolkit.session.internal.RWorker.BINARY),
                "R sessions need " + io.poolkit.session.internal.RWorker.BINARY
                        + ": apt-get install r-base-core (or source .ci/services/interpreters.sh as root)");
    }

    /** An R session builder: sandboxed where the sandbox works (always in CI). */
    static SecureSession.Builder r() {
        requireR();
        return session().language(Language.R);
    }

    static SecureSessionPool.Builder rPool() {
        requireR();
        return pool().language(Language.R);
    }

    /** Small workers, so the suite fits on a 2-core machine. */
    static Limits small() {
        return smallLimits().build();
    }

    static Limits.Builder smallLimits() {
        return Limits.builder().heap("128m").metaspace("128m");
    }
}
