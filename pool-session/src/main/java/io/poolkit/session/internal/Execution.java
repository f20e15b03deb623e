package io.poolkit.session.internal;

import io.poolkit.session.ExecutionError.Kind;
import io.poolkit.session.Limits;
import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.In;
import io.poolkit.session.internal.wire.Out;
import io.poolkit.session.internal.wire.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The host's side of one execution: send EXECUTE, then take the worker's frames until its RESULT,
 * relaying tool calls and collecting output within {@link Limits#maxOutputBytes()} (counted here
 * too: the worker is not trusted to). At the deadline: STOP (the worker calls {@code JShell.stop()}),
 * then after the stop grace the worker is killed: {@code JShell.stop()} is best effort, the kill is
 * the guarantee. A protocol violation or an interrupt kills the worker as well.
 */
public final class Execution {
    /** Ends executions stuck where no deadline is checked: a write to a worker that stopped reading. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "poolkit-session-watchdog");
        t.setDaemon(true);
        return t;
    });
    private static final long WATCHDOG_SLACK_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final WorkerProcess worker;
    private final AtomicBoolean watchdogFired = new AtomicBoolean();
    private final SessionSettings settings;
    private final long id;
    private final long timeoutNanos;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private long outputBytes;
    private Kind stopKind;
    private String stopMessage;
    private long stopDeadline;

    private Execution(WorkerProcess worker, SessionSettings settings, long id, long timeoutNanos) {
        this.worker = worker;
        this.settings = settings;
        this.id = id;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Runs {@code code} in {@code worker}, the caller's thread waiting for it.
     *
     * @param id a number the session has not used before
     * @param timeoutNanos the execution's bound, already capped by maxWallTime
     */
    public static RunReport run(WorkerProcess worker, SessionSettings settings, long id, String code, long timeoutNanos) {
        return new Execution(worker, settings, id, timeoutNanos).run(code);
    }

    private RunReport run(String code) {
        long start = System.nanoTime();
        if (Thread.currentThread().isInterrupted()) { // a caller interrupted already: leave the worker alone
            return RunReport.failure(Kind.INTERRUPTED, "the calling thread was interrupted before the execution began", 0);
        }
        Limits limits = settings.limits();
        Connection c = worker.connection();
        c.clearStale();
        ToolCalls calls = new ToolCalls(worker, settings.toolsByName(), id, limits.maxToolCalls());
        // a blocked write has no timeout of its own: past the deadline, the grace and some slack the
        // worker is killed, which closes the socket and frees the writer, so no caller hangs
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            watchdogFired.set(true);
            worker.kill("the execution did not end within its timeout and stop grace (the worker stopped reading)");
        }, saturatedAdd(timeoutNanos, settings.stopGrace().toNanos() + WATCHDOG_SLACK_NANOS), TimeUnit.NANOSECONDS);
        try {
            if (!worker.send(Frame.EXECUTE, new Out().writeLong(id).writeString(code).writeInt(limits.maxOutputBytes())
                    .writeInt(limits.maxToolCalls()))) {
                return died(start);
            }
            long deadline = start + timeoutNanos;
            for (;;) {
                long now = System.nanoTime();
                if (stopKind == null && now - deadline >= 0) {
                    stop(Kind.TIMEOUT, "timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
                if (stopKind != null && now - stopDeadline >= 0) {
                    worker.kill(stopMessage + "; the snippet did not stop within " + settings.stopGrace().toMillis() + " ms");
                    return report(stopKind, stopMessage + "; the snippet did not stop within the grace of "
                            + settings.stopGrace().toMillis() + " ms, so the worker was killed", start, "", "", "", "");
                }
                Object o = c.poll((stopKind == null ? deadline : stopDeadline) - now);
                if (o == null) {
                    continue;
                }
                if (o instanceof Connection.Closed) {
                    return died(start);
                }
                Frame f = (Frame) o;
                In in = f.in();
                switch (f.type()) {
                    case Frame.OUTPUT:
                        output(in);
                        break;
                    case Frame.TOOL_CALL:
                        calls.onCall(in);
                        break;
                    case Frame.RESULT: {
                        RunReport r = result(in, start);
                        if (r != null) {
                            return r;
                        }
                        break;
                    }
                    default:
                        throw new ProtocolException("unexpected frame of type " + f.type() + " during an execution");
                }
            }
        } catch (InterruptedException e) {
            worker.kill("the caller was interrupted during an execution");
            Thread.currentThread().interrupt();
            return report(Kind.INTERRUPTED, "the calling thread was interrupted; the worker was killed", start, "", "", "", "");
        } catch (ProtocolException e) {
            worker.kill("the worker broke the protocol: " + e.getMessage());
            return report(Kind.SESSION_DIED, "the worker broke the protocol (" + e.getMessage() + ") and was killed", start, "", "", "", "");
        } finally {
            watchdog.cancel(false);
            calls.cancelAll();
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private void stop(Kind kind, String message) {
        stopKind = kind;
        stopMessage = message;
        stopDeadline = System.nanoTime() + settings.stopGrace().toNanos();
        worker.send(Frame.STOP, new Out().writeLong(id));
    }

    /** An OUTPUT frame: execution id, stream (1 out, 2 err), bytes. Past the cap the rest is dropped and the run stopped. */
    private void output(In in) throws ProtocolException {
        long execId = in.readLong();
        byte stream = in.readByte();
        byte[] bytes = in.readBytes(Frame.MAX_LENGTH);
        in.end();
        if (stream != 1 && stream != 2) {
            throw new ProtocolException("output stream must be 1 or 2, but was " + stream);
        }
        if (execId != id) {
            return; // late output of an earlier, stopped execution
        }
        int max = settings.limits().maxOutputBytes();
        long fit = Math.max(0, Math.min(bytes.length, max - outputBytes));
        outputBytes += bytes.length;
        (stream == 1 ? stdout : stderr).write(bytes, 0, (int) fit);
        if (fit < bytes.length && stopKind == null) {
            stop(Kind.LIMIT, outputMessage(max));
        }
    }

    private static String outputMessage(int max) {
        return "the output exceeded maxOutputBytes (" + max + " bytes): the snippet was stopped and its output cut there";
    }

    /** A RESULT frame: execution id, status, value, exception class, message, stack trace, leftovers. Null when it is stale. */
    private RunReport result(In in, long start) throws ProtocolException {
        long execId = in.readLong();
        byte status = in.readByte();
        String value = in.readString();
        String errorClass = in.readString(1024);
        String message = in.readString();
        String stackTrace = in.readString();
        String leftover = in.readString(4096);
        in.end();
        if (execId != id) {
            return null;
        }
        if (stopKind != null) {
            String msg = stopKind == Kind.TIMEOUT ? stopMessage + "; the snippet was stopped" : stopMessage;
            return report(stopKind, msg, start, "", "", "", leftover);
        }
        switch (status) {
            case 0:
                return report(null, "", start, value, "", "", leftover);
            case 1:
                return report(Kind.COMPILE_ERROR, message, start, "", "", "", leftover);
            case 2:
                return report(Kind.EXCEPTION, message, start, "", errorClass, stackTrace, leftover);
            case 4:
                return report(Kind.LIMIT, outputMessage(settings.limits().maxOutputBytes()), start, "", "", "", leftover);
            case 5:
                worker.kill("the worker failed: " + message);
                return report(Kind.SESSION_DIED, "the worker failed (" + message + ") and was killed", start, "", "", "", leftover);
            case 3:
                throw new ProtocolException("the worker reports a stop nobody asked for");
            default:
                throw new ProtocolException("unknown result status " + status);
        }
    }

    private RunReport died(long start) {
        String reason = worker.deathReason();
        String said = worker.diagnostics(1_000);
        Integer exit = worker.exitCode();
        boolean oomKilled = worker.oomKilled();
        worker.kill(reason == null ? "the connection was lost" : reason);
        String tail = said.isEmpty() ? "" : "; it said: " + (said.length() > 2000 ? "..." + said.substring(said.length() - 2000) : said);
        if (oomKilled) {
            return report(Kind.LIMIT, "the worker exceeded its memory cap (" + (Launcher.memoryCap(settings.limits()) >> 20)
                    + " MiB: heap, metaspace and native memory) and the kernel ended it" + tail, start, "", "", "", "");
        }
        if (said.contains("OutOfMemoryError")) {
            Limits l = settings.limits();
            return report(Kind.LIMIT, "the worker ran out of memory (heap " + l.heapBytes() / (1 << 20) + " MiB, metaspace "
                    + l.metaspaceBytes() / (1 << 20) + " MiB) and ended" + tail, start, "", "", "", "");
        }
        if (watchdogFired.get()) {
            return report(Kind.TIMEOUT, "timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms; the worker had"
                    + " stopped reading and was killed", start, "", "", "", "");
        }
        if (stopKind != null) {
            return report(stopKind, stopMessage + "; the worker ended while it was being stopped", start, "", "", "", "");
        }
        return report(Kind.SESSION_DIED, "the worker ended during the execution (" + (reason == null ? "connection lost" : reason)
                + (exit == null ? "" : ", exit code " + exit) + ")" + tail, start, "", "", "", "");
    }

    private RunReport report(Kind kind, String message, long start, String value, String errorClass, String stackTrace, String leftover) {
        return new RunReport(kind, value, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8),
                errorClass, message, stackTrace, System.nanoTime() - start, leftover);
    }
}
