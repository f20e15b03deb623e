package io.poolkit.session;

import java.util.Objects;
import java.util.Optional;

/**
 * Why an execution failed: its {@link Kind} and a message meant for a person (or a model) to read.
 * Immutable and thread-safe.
 */
public final class ExecutionError {

    /** The kinds of failure. */
    public enum Kind {
        /** The snippet did not compile; the message has the compiler's diagnostics. */
        COMPILE_ERROR,
        /** The snippet threw; see {@link #exceptionClass()} and {@link #stackTrace()}. */
        EXCEPTION,
        /**
         * The execution ran past its timeout (the smaller of the one given and
         * {@link Limits#maxWallTime()}): the snippet was stopped, or the worker was killed.
         */
        TIMEOUT,
        /**
         * A limit was exceeded, as the host saw for itself: code length, output bytes (it counts
         * them), or memory (the worker's JVM exited with its out-of-memory status, or the kernel
         * ended it at its memory cgroup's cap) — never because the worker said so. Limits enforced
         * by the kernel (file size, open files, processes) show up inside the snippet, as an
         * {@link #EXCEPTION}.
         */
        LIMIT,
        /**
         * The worker process ended on its own (whatever it printed first) or broke the protocol and
         * was killed; the session must be restarted.
         */
        SESSION_DIED,
        /** The calling thread was interrupted while it waited; the worker was killed. */
        INTERRUPTED
    }

    private final Kind kind;
    private final String message;
    private final String exceptionClass;
    private final String stackTrace;

    ExecutionError(Kind kind, String message, String exceptionClass, String stackTrace) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.message = Objects.requireNonNull(message, "message");
        this.exceptionClass = exceptionClass == null || exceptionClass.isEmpty() ? null : exceptionClass;
        this.stackTrace = stackTrace == null ? "" : stackTrace;
    }

    /** @return the kind of failure */
    public Kind kind() {
        return kind;
    }

    /** @return what went wrong, for example {@code "java.lang.ArithmeticException: / by zero"} */
    public String message() {
        return message;
    }

    /** @return the class of the exception the snippet threw, for {@link Kind#EXCEPTION} */
    public Optional<String> exceptionClass() {
        return Optional.ofNullable(exceptionClass);
    }

    /** @return the snippet's stack trace for {@link Kind#EXCEPTION}, snippet frames shown as {@code (#N:line)}; else empty */
    public String stackTrace() {
        return stackTrace;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExecutionError e && kind == e.kind && message.equals(e.message)
                && Objects.equals(exceptionClass, e.exceptionClass) && stackTrace.equals(e.stackTrace);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, message, exceptionClass);
    }

    @Override
    public String toString() {
        return kind + ": " + message;
    }
}
