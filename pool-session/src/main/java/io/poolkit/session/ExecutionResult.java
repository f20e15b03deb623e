package io.poolkit.session;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one {@link SecureSession#execute} produced: the value of the last snippet as text (as jshell
 * shows it: strings in quotes), what the snippets printed, how long it took, and the error, if any.
 * Immutable and thread-safe.
 *
 * <p>Output printed before a failure is kept: a snippet that prints and then throws has both
 * {@link #stdout()} and an {@link #error()}.
 */
public final class ExecutionResult {
    private final String value;
    private final String stdout;
    private final String stderr;
    private final ExecutionError error;
    private final Duration duration;

    ExecutionResult(String value, String stdout, String stderr, ExecutionError error, Duration duration) {
        this.value = Objects.requireNonNull(value, "value");
        this.stdout = Objects.requireNonNull(stdout, "stdout");
        this.stderr = Objects.requireNonNull(stderr, "stderr");
        this.error = error;
        this.duration = Objects.requireNonNull(duration, "duration");
    }

    static ExecutionResult failure(ExecutionError.Kind kind, String message, Duration duration) {
        return new ExecutionResult("", "", "", new ExecutionError(kind, message, null, null), duration);
    }

    /** @return true when every snippet compiled and ran to its end */
    public boolean isSuccess() {
        return error == null;
    }

    /**
     * @return the value of the last snippet as jshell shows it ({@code "2"}, {@code "\"text\""},
     *     {@code "int[3] { 1, 2, 3 }"}); empty when it has none (a statement, a method declaration)
     *     or the execution failed. Values longer than 64 Ki characters are cut and say so.
     */
    public String value() {
        return value;
    }

    /** @return what the snippets wrote to {@code System.out}, within {@link Limits#maxOutputBytes()} */
    public String stdout() {
        return stdout;
    }

    /** @return what the snippets wrote to {@code System.err}, within {@link Limits#maxOutputBytes()} */
    public String stderr() {
        return stderr;
    }

    /** @return why the execution failed; empty on success */
    public Optional<ExecutionError> error() {
        return Optional.ofNullable(error);
    }

    /** @return the time from sending the code to the worker until its result came back */
    public Duration duration() {
        return duration;
    }

    @Override
    public String toString() {
        String head = error == null ? "ExecutionResult[value=" + brief(value) : "ExecutionResult[error=" + brief(error.toString());
        return head + ", stdout=" + stdout.length() + " chars, stderr=" + stderr.length() + " chars, duration="
                + duration.toMillis() + " ms]";
    }

    private static String brief(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
