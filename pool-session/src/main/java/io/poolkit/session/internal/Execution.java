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
 * too: the worker is not trusted to). At the deadline: STOP (the worker stops the snippet), then
 * after the stop grace the worker is killed: a stop is best effort, the kill is the guarantee. A
 * protocol violation or an interrupt kills the worker as well. Nothing here knows the worker is a
 * JVM: frames, budgets and kinds are the same for any worker.
 *
 * <p>The kind of a failure comes from what the host saw (DESIGN "Outcome kinds are exact"):
 * {@code TIMEOUT} from its own clock, {@code LIMIT} from the output it counted, the kernel's OOM
 * counter of the worker's cgroup, or the exit status the worker's runtime uses only when out of
 * memory; never from what the worker printed. The worker's RESULT says only how the evaluation
 * ended (a value, a compile error, an exception, a stop the host asked for).
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
        ToolCalls calls = new ToolCalls(worker, settings.toolsByName(), id, limits.maxToolCalls());
        // a blocked write has no timeout of its own: past the deadline, the grace and some slack the
        // worker is killed, which closes the socket and frees the writer, so no caller hangs
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            watchdogFired.set(true);
            worker.kill("the execution did not end within its timeout and stop grace (the worker stopped reading)");
        }, saturatedAdd(timeoutNanos, settings.stopGrace().toNanos() + WATCHDOG_SLACK_NANOS), TimeUnit.NANOSECONDS);
        try {
            if (!worker.isAlive()) {
                return died(start);
            }
            c.protocol().begin(id, limits.maxOutputBytes(), limits.maxToolCalls());
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
                        output(Protocol.Output.decode(in));
                        break;
                    case Frame.TOOL_CALL:
                        calls.onCall(Protocol.ToolCall.decode(in));
                        break;
                    case Frame.RESULT:
                        return result(Protocol.Result.decode(in), start);
                    default: // the reader admits nothing else
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

    /** Output within the cap is kept; the first byte past it stops the run (the worker sends one, to show the limit was hit). */
    private void output(Protocol.Output o) throws ProtocolException {
        if (o.execution() != id) {
            throw new ProtocolException("output of execution " + o.execution() + " during " + id);
        }
        byte[] bytes = o.bytes();
        int max = settings.limits().maxOutputBytes();
        long fit = Math.max(0, Math.min(bytes.length, max - outputBytes));
        outputBytes += bytes.length;
        (o.stream() == 1 ? stdout : stderr).write(bytes, 0, (int) fit);
        if (fit < bytes.length && stopKind == null) {
            stop(Kind.LIMIT, outputMessage(max));
        }
    }

    private static String outputMessage(int max) {
        return "the output exceeded maxOutputBytes (" + max + " bytes): the snippet was stopped and its output cut there";
    }

    /** The RESULT: how the evaluation ended, as the worker says; a limit or a timeout the host saw wins over it. */
    private RunReport result(Protocol.Result r, long start) throws ProtocolException {
        if (r.execution() != id) {
            throw new ProtocolException("the result of execution " + r.execution() + " during " + id);
        }
        String leftover = r.leftover();
        if (stopKind != null) {
            String msg = stopKind == Kind.TIMEOUT ? stopMessage + "; the snippet was stopped" : stopMessage;
            return report(stopKind, msg, start, "", "", "", leftover);
        }
        switch (r.status()) {
            case Protocol.Result.OK:
                return report(null, "", start, r.value(), "", "", leftover);
            case Protocol.Result.COMPILE_ERROR:
                return report(Kind.COMPILE_ERROR, r.message(), start, "", "", "", leftover);
            case Protocol.Result.EXCEPTION:
                return report(Kind.EXCEPTION, r.message(), start, "", r.errorClass(), r.stackTrace(), leftover);
            case Protocol.Result.FAILED:
                if (worker.oomKilled()) { // a Python worker's evaluator ended by the kernel at the memory cgroup's cap
                    worker.kill("the worker exceeded its memory cap");
                    return report(Kind.LIMIT, "the worker exceeded its memory cap (" + (Launcher.memoryCap(settings.limits()) >> 20)
                            + " MiB) and the kernel ended it: " + r.message(), start, "", "", "", leftover);
                }
                worker.kill("the worker failed: " + r.message());
                return report(Kind.SESSION_DIED, "the worker failed (" + r.message() + ") and was killed", start, "", "", "", leftover);
            default: // STOPPED, and the host asked for no stop
                throw new ProtocolException("the worker reports a stop nobody asked for");
        }
    }

    /**
     * The connection ended during the execution: why, from what the host can see for itself. The
     * worker's last words are kept in the message, never used to choose the kind.
     */
    private RunReport died(long start) {
        String reason = worker.deathReason();
        Integer exit = worker.awaitExit(2_000);
        String said = worker.diagnostics(exit == null ? 0 : 1_000);
        boolean oomKilled = worker.oomKilled();
        worker.kill(reason == null ? "the connection was lost" : reason);
        String tail = said.isEmpty() ? "" : "; it said: " + (said.length() > 2000 ? "..." + said.substring(said.length() - 2000) : said);
        if (oomKilled) {
            return report(Kind.LIMIT, "the worker exceeded its memory cap (" + (Launcher.memoryCap(settings.limits()) >> 20)
                    + " MiB: heap, metaspace and native memory) and the kernel ended it" + tail, start, "", "", "", "");
        }
        if (watchdogFired.get()) {
            return report(Kind.TIMEOUT, "timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms; the worker had"
                    + " stopped reading and was killed", start, "", "", "", "");
        }
        if (exit != null && worker.outOfMemoryExit(exit)) {
            Limits l = settings.limits();
            return report(Kind.LIMIT, "the worker ran out of memory (heap " + l.heapBytes() / (1 << 20) + " MiB, metaspace "
                    + l.metaspaceBytes() / (1 << 20) + " MiB) and ended with exit code " + exit + tail, start, "", "", "", "");
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
