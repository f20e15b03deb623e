package io.poolkit.ssh;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a remote command did: its exit code (or the signal that ended it), its output, and how long it
 * took. Immutable and thread-safe.
 *
 * <p>Output is kept up to the pool's {@code maxOutputBytes} per stream; what came beyond it was read
 * and dropped ({@link #stdoutTruncated()}). Text is decoded as UTF-8. For a command whose output was
 * streamed ({@link RemoteProcess}) both outputs are empty here.
 *
 * <p>In the map of {@link SshPool#execAll}, a host where the command could not run at all (no
 * connection, circuit open, timed out) has a result with {@link #failure()} present, exit code -1 and
 * no output; {@link #orThrow()} turns it back into the exception.
 */
public final class CommandResult {
    private final String command;
    private final int exitCode;
    private final String exitSignal;
    private final byte[] stdout;
    private final byte[] stderr;
    private final boolean stdoutTruncated;
    private final boolean stderrTruncated;
    private final Duration duration;
    private final RuntimeException failure;

    /**
     * @param command the command as the caller gave it
     * @param exitCode the exit status, or -1 when the command reported none (killed by a signal)
     * @param exitSignal the signal that ended it (without "SIG"), or {@code null}
     * @param stdout the standard output kept
     * @param stderr the standard error kept
     * @param stdoutTruncated whether standard output went past the cap
     * @param stderrTruncated whether standard error went past the cap
     * @param duration from the request to the result, including the wait for a channel
     */
    public CommandResult(String command, int exitCode, String exitSignal, byte[] stdout, byte[] stderr,
                         boolean stdoutTruncated, boolean stderrTruncated, Duration duration) {
        this(command, exitCode, exitSignal, stdout, stderr, stdoutTruncated, stderrTruncated, duration, null);
    }

    private CommandResult(String command, int exitCode, String exitSignal, byte[] stdout, byte[] stderr,
                          boolean stdoutTruncated, boolean stderrTruncated, Duration duration, RuntimeException failure) {
        this.command = Objects.requireNonNull(command, "command");
        this.exitCode = exitCode;
        this.exitSignal = exitSignal;
        this.stdout = stdout.clone();
        this.stderr = stderr.clone();
        this.stdoutTruncated = stdoutTruncated;
        this.stderrTruncated = stderrTruncated;
        this.duration = Objects.requireNonNull(duration, "duration");
        this.failure = failure;
    }

    /**
     * @param command the command
     * @param failure why it could not run (or did not finish)
     * @param duration how long the attempt took
     * @return a result that stands for a failure (see the class notes)
     */
    public static CommandResult failed(String command, RuntimeException failure, Duration duration) {
        return new CommandResult(command, -1, null, new byte[0], new byte[0], false, false, duration,
                Objects.requireNonNull(failure, "failure"));
    }

    /** @return the command as given */
    public String command() {
        return command;
    }

    /** @return the exit status, or -1 when there was none (killed by a signal, or a failure) */
    public int exitCode() {
        return exitCode;
    }

    /** @return the signal that ended the command, e.g. "TERM" or "KILL" */
    public Optional<String> exitSignal() {
        return Optional.ofNullable(exitSignal);
    }

    /** @return whether the command ran and exited with status 0 */
    public boolean isSuccess() {
        return failure == null && exitCode == 0;
    }

    /** @return standard output, decoded as UTF-8 */
    public String stdout() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** @return standard error, decoded as UTF-8 */
    public String stderr() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    /** @return a copy of the standard output bytes */
    public byte[] stdoutBytes() {
        return stdout.clone();
    }

    /** @return a copy of the standard error bytes */
    public byte[] stderrBytes() {
        return stderr.clone();
    }

    /** @return whether standard output went past the cap (the rest was dropped) */
    public boolean stdoutTruncated() {
        return stdoutTruncated;
    }

    /** @return whether standard error went past the cap (the rest was dropped) */
    public boolean stderrTruncated() {
        return stderrTruncated;
    }

    /** @return from the request to the result */
    public Duration duration() {
        return duration;
    }

    /** @return why the command could not run, for a result of {@link SshPool#execAll} */
    public Optional<RuntimeException> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * @return this result when the command ran
     * @throws RuntimeException the failure, when it could not
     */
    public CommandResult orThrow() {
        if (failure != null) {
            throw failure;
        }
        return this;
    }

    @Override
    public String toString() {
        if (failure != null) {
            return "CommandResult[failed: " + failure.getMessage() + "]";
        }
        return "CommandResult[exit " + (exitSignal != null ? "signal " + exitSignal : exitCode) + ", stdout " + stdout.length
                + (stdoutTruncated ? "+" : "") + " bytes, stderr " + stderr.length + (stderrTruncated ? "+" : "")
                + " bytes, " + duration.toMillis() + " ms]";
    }
}
