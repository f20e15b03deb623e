package io.poolkit.session;

import io.poolkit.session.internal.Execution;
import io.poolkit.session.internal.Launcher;
import io.poolkit.session.internal.RunReport;
import io.poolkit.session.internal.SessionSettings;
import io.poolkit.session.internal.WorkerProcess;
import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.Out;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One isolated worker process: a child JVM that evaluates Java snippets with jdk.jshell's local
 * execution engine, or with {@link Language#PYTHON} a CPython worker, or with {@link Language#R} an R
 * worker, in a bubblewrap sandbox by default.
 *
 * {@snippet class=io.poolkit.session.examples.SessionSnippets region=session}
 *
 * <p>A Python session runs the same way: {@code language(Language.PYTHON)}, and the code is Python;
 * the value is the last expression's {@code repr()}, tools are plain functions.
 *
 * {@snippet class=io.poolkit.session.examples.SessionSnippets region=python}
 *
 * <p>An R session likewise, {@code language(Language.R)}: the value is what {@code print()} shows
 * of the last expression (nothing for an assignment), tools are plain functions.
 *
 * {@snippet class=io.poolkit.session.examples.SessionSnippets region=r}
 *
 * <p>State (variables, methods, classes, imports) persists between executions until
 * {@link #restart()}. An execution never throws for what the snippet does: compile errors,
 * exceptions, timeouts, exceeded limits and a dead worker all come back as an
 * {@link ExecutionResult} with an {@link ExecutionError}. A timed-out snippet is stopped with
 * {@code JShell.stop()}; if it has not ended after the stop grace, the worker is killed and this
 * session is dead until {@link #restart()}.
 *
 * <p>On the host a session holds three daemon threads (the socket's reader and writer, and one
 * draining the worker's own output as capped diagnostics); the worker process is started from one
 * long-lived spawner thread shared by all sessions, since bubblewrap's {@code --die-with-parent}
 * follows the thread that started it.
 *
 * <p>Thread-safe: executions are serialised (a second caller waits for the first). Everything an
 * execution did happens-before the next execution begins.
 */
public final class SecureSession implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final SessionSettings settings;
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong executions = new AtomicLong();
    private volatile WorkerProcess worker;
    private volatile boolean closed;
    private volatile String recycleReason;

    private SecureSession(SessionSettings settings, String name) {
        this.settings = settings;
        this.name = name;
    }

    /** @return a builder with the defaults: sandbox on, {@link Limits#defaults()}, no tools */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a session's worker on the calling thread (the process itself comes from the spawner thread). */
    static SecureSession start(SessionSettings settings, String name) {
        SecureSession s = new SecureSession(settings, name);
        s.worker = s.launch();
        return s;
    }

    private WorkerProcess launch() {
        try {
            return Launcher.start(settings, name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionStartException(name + " - interrupted while starting the worker");
        }
    }

    /**
     * Runs {@code code}: one or more Java snippets (statements, expressions, declarations, imports),
     * evaluated in order until the first that fails.
     *
     * @param code the snippets, at most {@link Limits#maxCodeLength()} characters
     * @param timeout the longest the execution may run, more than zero; capped by {@link Limits#maxWallTime()}
     * @return the result; its error says what failed, if anything
     * @throws IllegalStateException when this session is closed
     * @throws IllegalArgumentException when {@code timeout} is zero or negative
     */
    public ExecutionResult execute(String code, Duration timeout) {
        Objects.requireNonNull(code, "code");
        SessionOptions.positive("timeout", timeout);
        checkOpen();
        Limits limits = settings.limits();
        if (code.length() > limits.maxCodeLength()) {
            return ExecutionResult.failure(ExecutionError.Kind.LIMIT, "the code has " + code.length()
                    + " characters, more than maxCodeLength (" + limits.maxCodeLength() + ")", Duration.ZERO);
        }
        Duration wall = timeout.compareTo(limits.maxWallTime()) < 0 ? timeout : limits.maxWallTime();
        long timeoutNanos = wall.compareTo(Limits.NO_LIMIT) < 0 ? wall.toNanos() : Limits.NO_LIMIT.toNanos();
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExecutionResult.failure(ExecutionError.Kind.INTERRUPTED, "interrupted while waiting for another execution of "
                    + name + " to end", Duration.ZERO);
        }
        try {
            checkOpen();
            WorkerProcess w = worker;
            if (w == null || !w.isAlive()) {
                return ExecutionResult.failure(ExecutionError.Kind.SESSION_DIED, name + " - the worker is not running ("
                        + (w == null ? "never started" : w.deathReason()) + "): call restart()", Duration.ZERO);
            }
            RunReport r = Execution.run(w, settings, executions.incrementAndGet(), code, timeoutNanos);
            if (!r.leftover().isEmpty()) {
                recycleReason = "an execution left behind " + r.leftover();
            } else if (r.kind() == ExecutionError.Kind.TIMEOUT || r.kind() == ExecutionError.Kind.LIMIT) {
                recycleReason = "an execution was stopped (" + r.kind() + ")";
            }
            return toResult(r);
        } finally {
            lock.unlock();
        }
    }

    private static ExecutionResult toResult(RunReport r) {
        ExecutionError error = r.kind() == null ? null : new ExecutionError(r.kind(), r.message(), r.errorClass(), r.stackTrace());
        return new ExecutionResult(r.value(), r.stdout(), r.stderr(), error, Duration.ofNanos(r.nanos()));
    }

    /**
     * Ends the worker and starts a fresh one: all state is gone. Waits for a running execution first.
     *
     * @throws SessionStartException when the new worker cannot be started (the session is then dead)
     * @throws IllegalStateException when this session is closed
     */
    public void restart() {
        checkOpen();
        lock.lock();
        try {
            checkOpen();
            WorkerProcess old = worker;
            worker = null;
            if (old != null) {
                old.kill("restarted");
            }
            recycleReason = null;
            WorkerProcess fresh = launch();
            worker = fresh;
            if (closed) { // closed while the new worker started: it must not outlive the session
                fresh.kill("closed");
                throw new IllegalStateException(name + " was closed while it restarted");
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return true while the worker runs and this session is open */
    public boolean isAlive() {
        WorkerProcess w = worker;
        return !closed && w != null && w.isAlive();
    }

    /** Kills the worker; a running execution ends with an error. Idempotent. */
    @Override
    public void close() {
        closed = true;
        WorkerProcess w = worker;
        if (w != null) {
            w.kill("closed");
        }
    }

    /** @return the session's name, the prefix of its log lines and threads */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        WorkerProcess w = worker;
        return "SecureSession[" + name + ", " + (closed ? "closed" : w == null ? "no worker" : w.isAlive() ? "alive, pid " + w.pid()
                : "dead: " + w.deathReason()) + ", sandbox=" + settings.sandbox() + "]";
    }

    /** Why this session must not serve another caller (a leftover thread, a stopped execution), or null. */
    String recycleReason() {
        return recycleReason;
    }

    /** A fresh JShell state in the same warm worker; the worker builds it before it runs the next execution. */
    void resetState() {
        WorkerProcess w = worker;
        if (w == null || !w.send(Frame.RESET, new Out())) {
            throw new IllegalStateException(name + " - cannot reset: the worker is not running");
        }
    }

    /** @return the worker, for tests */
    WorkerProcess worker() {
        return worker;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(name + " is closed: start a new session");
        }
    }

    /**
     * Builds a {@link SecureSession}; start with {@link SecureSession#builder()}. Not thread-safe.
     */
    public static final class Builder extends SessionOptions<Builder> {
        private String name;

        private Builder() {
        }

        /**
         * @param name the session's name in logs, thread names and messages (default {@code session-N})
         * @return this builder
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.length() > 64) {
                throw new IllegalArgumentException("name must be 1 to 64 characters and not blank, but was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * Starts the worker and waits until it is ready (about a second cold).
         *
         * @return the running session
         * @throws SandboxUnavailableException when the sandbox is requested and cannot be set up
         * @throws SessionStartException when the worker cannot be started
         */
        public SecureSession start() {
            return SecureSession.start(settings(), name != null ? name : "session-" + IDS.incrementAndGet());
        }
    }
}
