package io.poolkit.ssh.internal;

import io.poolkit.ssh.CommandResult;
import io.poolkit.ssh.CommandTimeoutException;
import io.poolkit.ssh.SshException;
import io.poolkit.ssh.SshTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.session.ConnectionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command on one channel: open it on a dispatcher slot, feed stdin, wait for the end, and on
 * timeout stop the command on the host.
 *
 * <p>The line between "may retry" and "never retry" is the exec request: {@link #open} reports
 * {@link Opened#RETRY} only while {@link ExecChannel} guarantees the request was not sent and never
 * will be (the channel was refused, the connection failed before confirming it, or we gave up on it
 * first). From the moment the request may have left, every failure goes to the caller with
 * {@link SshException#mayHaveRun()} true.
 *
 * <p>Stopping a command: without a PTY, closing the channel leaves the remote command running. So a
 * timeout first sends the {@code signal} request (TERM; KILL after {@code killGrace}); when the
 * server refuses it (OpenSSH does for some logins, and for ForceCommand sessions), the command's
 * process group is killed by pid from a second channel (the pid comes from the wrapper's first line
 * on stderr, see {@link PidLine}); then the channel is closed.
 */
final class CommandRun {
    private static final Logger log = LoggerFactory.getLogger(CommandRun.class);
    private static final Set<ClientChannelEvent> ENDED =
            EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS, ClientChannelEvent.EXIT_SIGNAL);

    enum Opened { OPEN, RETRY }

    /** Kills a process group by pid from a second channel (the route when the server refuses the signal request). */
    @FunctionalInterface
    interface Killer {
        void killByPid(SshTarget target, long pid, String signal) throws InterruptedException;
    }

    /**
     * What a run needs from the pool: its name (log prefix), the output cap, the kill grace, the pid
     * wrapper's marker and the second-channel killer.
     */
    record Context(String name, int maxOutputBytes, Duration killGrace, String pidMarker, Killer killer) {
        /** @return {@code command} behind the one-line wrapper that prints the shell's pid to stderr */
        String wrap(String command) {
            return "printf '" + pidMarker + "%s\\n' \"$$\" >&2; " + command;
        }
    }

    /** What stopping a command found: it had ended by itself, it was stopped, or it could not be confirmed stopped. */
    enum Stop { ENDED_BY_ITSELF, STOPPED, NOT_STOPPED }

    private final Context context;
    private final SshTarget target;
    private final String command;
    private final boolean wrap;
    private final boolean streaming;
    private final long startNanos;
    private ExecChannel channel;
    private Slot slot;
    private CappedBuffer out;
    private CappedBuffer err;
    private PidLine pidLine;
    /** Set by shutdown before it stops this command on the host: its caller learns why it ended. */
    volatile boolean stoppedByShutdown;
    private OutputStream streamErr;
    private Throwable retryCause;
    /** Whether the connection was gone when the channel closed (read once the channel closed). */
    private volatile boolean connectionLost;
    /** Completes when the channel closed: what callers wait on (interruptibly; MINA's waitFor is not). */
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    CommandRun(Context context, SshTarget target, String command, boolean wrap, boolean streaming, long startNanos) {
        this.context = context;
        this.target = target;
        this.command = command;
        this.wrap = wrap;
        this.streaming = streaming;
        this.startNanos = startNanos;
    }

    /** For a streamed command: where standard error goes (after the wrapper's line is taken out). */
    void streamErrTo(OutputStream sink) {
        this.streamErr = sink;
    }

    Throwable retryCause() {
        return retryCause;
    }

    ExecChannel channel() {
        return channel;
    }

    /**
     * Opens the channel on {@code slot} and sends the exec request.
     *
     * @return {@link Opened#OPEN} once the request was sent, {@link Opened#RETRY} when it never was
     */
    Opened open(Slot slot, long timeoutNanos) throws InterruptedException {
        this.slot = slot;
        ExecChannel ch = new ExecChannel(wrap ? context.wrap(command) : command, slot::confirmed);
        this.channel = ch;
        if (!streaming) {
            out = new CappedBuffer(context.maxOutputBytes());
            ch.setOut(out);
        }
        err = new CappedBuffer(context.maxOutputBytes());
        OutputStream errSink = streamErr != null ? streamErr : err;
        if (wrap) {
            pidLine = new PidLine(context.pidMarker(), errSink);
            errSink = pidLine;
        }
        ch.setErr(errSink);
        try {
            slot.connection().session().getService(ConnectionService.class).registerChannel(ch);
        } catch (IOException | RuntimeException e) {
            slot.broken();
            retryCause = e;
            return Opened.RETRY;
        }
        PidLine held = pidLine;
        ch.addCloseFutureListener(f -> {
            if (held != null) {
                try {
                    held.finish();
                } catch (IOException e) {
                    log.debug("{} - stderr of a command on {} not fully passed on: {}", context.name(), target, e.toString());
                }
            }
            ch.failPendingReplies();
            connectionLost = !slot.connection().isOpen();
            // the permit is free before the caller wakes: its next command finds it (it used to find the
            // connection still busy and ask the pool for another)
            if (ch.refused()) {
                slot.refused();
            } else if (connectionLost) {
                slot.broken();
            } else {
                slot.release();
            }
            closed.complete(null);
        });
        OpenFuture opening;
        try {
            opening = ch.open();
        } catch (IOException | RuntimeException e) {
            ch.abandonBeforeExec();
            slot.broken();
            ch.close(true);
            retryCause = e;
            return Opened.RETRY;
        }
        boolean done;
        try {
            done = opening.await(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
        } catch (InterruptedIOException e) {
            if (ch.abandonBeforeExec()) {
                ch.close(true);
                throw new InterruptedException("interrupted while opening a channel to " + target + "; the command was not sent");
            }
            done = true;
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            done = true;
        }
        if (!done) {
            if (ch.abandonBeforeExec()) {
                String what = "did not confirm a channel within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms";
                // before the close gives the permit back: the entry stays held for its check
                slot.suspect(what);
                ch.close(true);
                throw new SshException(context.name() + " - " + target + " " + what + "; the command was not sent (new commands"
                        + " go to other connections until " + slot.connection() + " answers a keepalive)", null, false);
            }
            // confirmed just now: the request is on its way
        }
        if (opening.isOpened() || ch.execSent()) {
            return Opened.OPEN;
        }
        Throwable failure = opening.getException();
        retryCause = failure;
        if (failure instanceof SshChannelOpenException) {
            slot.refused();
        } else if (!slot.connection().isOpen()) {
            slot.broken();
        } else {
            slot.release();
        }
        ch.close(true);
        return Opened.RETRY;
    }

    /** Writes {@code stdin} (if any) and closes it, so the command sees end of input. */
    void sendInput(byte[] stdin) {
        try (OutputStream in = channel.getInvertedIn()) {
            if (stdin != null && stdin.length > 0) {
                in.write(stdin);
                in.flush();
            }
        } catch (IOException e) {
            // the command exited without reading it all, or the channel closed: its result says which
            log.debug("{} - stdin of a command on {} not fully written: {}", context.name(), target, e.toString());
        }
    }

    /** @return the command's standard input, for a streamed command */
    OutputStream stdin() {
        return channel.getInvertedIn();
    }

    /** @return the command's standard output, for a streamed command (reading it opens MINA's window) */
    InputStream stdout() {
        return channel.getInvertedOut();
    }

    /**
     * Waits for the command to end.
     *
     * @return whether it ended (the channel closed) within the bound
     */
    boolean awaitEnd(long timeoutNanos) throws InterruptedException {
        if (timeoutNanos <= 0) {
            return closed.isDone();
        }
        try {
            closed.get(Math.min(timeoutNanos, TimeUnit.DAYS.toNanos(365)), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /** The result of a command whose channel closed. */
    CommandResult result() {
        Integer status = channel.getExitStatus();
        String signal = channel.getExitSignal();
        // The connection went away: without an exit status, or without the server's EOF (OpenSSH sends the exit
        // status as soon as the command exits, and its output may still be in flight), the result is not whole.
        if (connectionLost && (status == null && signal == null || !channel.isEofSignalled())) {
            throw new SshException(context.name() + " - the connection to " + target + " was lost while `" + abbreviate(command)
                    + "` ran" + (status != null ? " (its exit status " + status + " arrived, its output may be cut)" : "")
                    + "; it may have run, in part or in full (not retried)", null, true);
        }
        return resultSoFar();
    }

    CommandResult resultSoFar() {
        Integer status = channel.getExitStatus();
        String signal = channel.getExitSignal();
        byte[] stdout = out == null ? new byte[0] : out.bytes();
        byte[] stderr = streamErr != null ? new byte[0] : err.bytes();
        return new CommandResult(command, status == null ? -1 : status, signal, stdout, stderr,
                out != null && out.truncated(), streamErr == null && err.truncated(),
                Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /**
     * Stops the command on the host (see the class notes), then closes the channel.
     *
     * @return whether the command is known to have ended
     */
    boolean kill() {
        Stop s = stop();
        if (s == Stop.ENDED_BY_ITSELF) {
            close();
        }
        return s != Stop.NOT_STOPPED;
    }

    /** Whether the command has ended by itself: its exit status or signal arrived, or its channel closed. */
    boolean ended() {
        return channel.getExitStatus() != null || channel.getExitSignal() != null || channel.isClosed();
    }

    /**
     * Stops the command on the host unless it already ended (then the channel is left open for its last
     * output and close); otherwise stops it (see the class notes) and closes the channel.
     */
    Stop stop() {
        if (ended()) {
            return Stop.ENDED_BY_ITSELF;
        }
        long grace = context.killGrace().toNanos();
        boolean ended = false;
        try {
            Boolean accepted = signal("TERM", grace);
            // a refusal can also be the reply lost to the command ending on the signal: look again
            ended = endedWithin(Boolean.TRUE.equals(accepted) ? grace : 0);
            if (!ended && Boolean.TRUE.equals(accepted)) {
                signal("KILL", grace);
                ended = endedWithin(grace);
            }
            if (!ended) {
                long pid = pidLine == null ? -1 : pidLine.pid();
                if (pid > 0) {
                    log.debug("{} - {} did not take the signal request; killing pid {} from a second channel", context.name(),
                            target, pid);
                    context.killer().killByPid(target, pid, "TERM");
                    ended = endedWithin(grace);
                    if (!ended) {
                        context.killer().killByPid(target, pid, "KILL");
                        ended = endedWithin(grace);
                    }
                } else if (!Boolean.TRUE.equals(accepted)) {
                    log.warn("{} - cannot stop `{}` on {}: the server refused the signal request and its pid is unknown"
                            + " (pidWrapper off?); it may still run there", context.name(), abbreviate(command), target);
                }
            }
            return ended ? Stop.STOPPED : Stop.NOT_STOPPED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ended ? Stop.STOPPED : Stop.NOT_STOPPED;
        } finally {
            close();
        }
    }

    /** @return the server's answer, or null when it gave none in time (or the channel is gone) */
    private Boolean signal(String name, long graceNanos) throws InterruptedException {
        if (channel.isClosing() || channel.isClosed()) {
            return null;
        }
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(graceNanos));
        try {
            return channel.signal(name).get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // any server answers a signal request, even to refuse it: the connection may be dead; the kill by pid
            // that may follow goes to another one
            slot.suspect("did not answer a signal request within " + millis + " ms");
            return null;
        } catch (IOException | ExecutionException e) {
            return null;
        }
    }

    private boolean endedWithin(long nanos) {
        if (ended()) {
            return true;
        }
        if (nanos <= 0) {
            return false;
        }
        Set<ClientChannelEvent> events = channel.waitFor(ENDED, Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
        return events.stream().anyMatch(ENDED::contains);
    }

    /** Closes the channel: gracefully (so the last output and the exit signal arrive), bounded, then for good. */
    void close() {
        if (channel == null || channel.isClosed()) {
            return;
        }
        try {
            channel.close(false).await(Math.max(1, context.killGrace().toMillis()));
        } catch (IOException e) {
            // closed for good below
        } finally {
            channel.close(true);
        }
    }

    /** Builds the timeout failure after {@link #stop()}. */
    CommandTimeoutException timedOut(Duration timeout, Stop stop) {
        CommandResult partial = resultSoFar();
        String what = switch (stop) {
            case STOPPED -> "it was stopped" + partial.exitSignal().map(s -> " (signal " + s + ")").orElse("");
            case ENDED_BY_ITSELF -> "it exited by itself (" + partial.exitSignal().map(s -> "signal " + s)
                    .orElseGet(() -> "exit status " + partial.exitCode()) + "), but its output was still open when the kill"
                    + " grace ended (a background process may hold it; that process was not stopped)";
            case NOT_STOPPED -> "it could not be confirmed stopped and may still run there";
        };
        return new CommandTimeoutException(context.name() + " - `" + abbreviate(command) + "` on " + target + " did not finish within "
                + timeout.toMillis() + " ms; " + what + "; its output so far is in partialResult()", partial, stop != Stop.NOT_STOPPED);
    }

    static String abbreviate(String command) {
        String oneLine = command.replace('\n', ' ');
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }
}
