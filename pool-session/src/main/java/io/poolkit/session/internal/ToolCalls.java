package io.poolkit.session.internal;

import io.poolkit.session.Tool;
import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.Out;
import io.poolkit.session.internal.wire.ProtocolException;
import io.poolkit.session.internal.wire.Values;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of the tool calls of one execution. Each TOOL_CALL frame is checked (known tool,
 * exactly its parameters, within the call limit) and its handler runs on a shared daemon pool,
 * bounded by the tool's timeout (past it the handler is interrupted); exactly one TOOL_RESULT goes
 * back per call. When the execution ends, handlers still running are interrupted. Not thread-safe:
 * frames come from the one thread running the execution.
 */
final class ToolCalls {
    private static final Logger log = LoggerFactory.getLogger(ToolCalls.class);
    private static final ExecutorService HANDLERS = Executors.newCachedThreadPool(daemons("poolkit-session-tool-"));
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(daemons("poolkit-session-tool-timer-"));

    private final WorkerProcess worker;
    private final Map<String, Tool> tools;
    private final long executionId;
    private final int maxCalls;
    private int calls;
    private final List<Future<?>> running = new ArrayList<>();

    ToolCalls(WorkerProcess worker, Map<String, Tool> tools, long executionId, int maxCalls) {
        this.worker = worker;
        this.tools = tools;
        this.executionId = executionId;
        this.maxCalls = maxCalls;
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A TOOL_CALL frame (its execution and the call count already checked by {@link Protocol} as it arrived). */
    void onCall(Protocol.ToolCall c) throws ProtocolException {
        long execId = c.execution();
        long callId = c.call();
        String name = c.name();
        Object args = c.arguments();
        if (execId != executionId) {
            throw new ProtocolException("a tool call of execution " + execId + " during " + executionId);
        }
        if (++calls > maxCalls) {
            reply(execId, callId, null, "tool call limit reached: at most " + maxCalls + " tool calls per execution (Limits.maxToolCalls)");
            return;
        }
        Tool tool = tools.get(name);
        if (tool == null) {
            reply(execId, callId, null, "unknown tool '" + name + "'; the tools are: "
                    + (tools.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(tools.keySet()))));
            return;
        }
        if (!(args instanceof Map<?, ?> map)) {
            reply(execId, callId, null, "tool '" + name + "': arguments must be a map of parameter names to values");
            return;
        }
        Set<String> given = new LinkedHashSet<>();
        map.keySet().forEach(k -> given.add((String) k));
        Set<String> unknown = new LinkedHashSet<>(given);
        tool.parameters().forEach(unknown::remove);
        Set<String> missing = new LinkedHashSet<>(tool.parameters());
        missing.removeAll(given);
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            reply(execId, callId, null, "tool '" + name + "' takes (" + String.join(", ", tool.parameters()) + "), but was called with ("
                    + String.join(", ", given) + ")" + (unknown.isEmpty() ? "" : "; unknown: " + String.join(", ", unknown))
                    + (missing.isEmpty() ? "" : "; missing: " + String.join(", ", missing)));
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> arguments = (Map<String, Object>) map;
        AtomicBoolean replied = new AtomicBoolean();
        Future<?> call = HANDLERS.submit(() -> {
            Object value;
            try {
                value = tool.handler().call(arguments);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception | LinkageError | AssertionError e) {
                if (replied.compareAndSet(false, true)) {
                    reply(execId, callId, null, "tool '" + name + "' failed: " + describe(e));
                }
                return;
            } catch (VirtualMachineError e) {
                throw e; // the host's own trouble: not the snippet's to see
            } catch (Error e) {
                if (replied.compareAndSet(false, true)) {
                    reply(execId, callId, null, "tool '" + name + "' failed: " + describe(e));
                }
                return;
            }
            if (replied.compareAndSet(false, true)) {
                reply(execId, callId, value, null);
            }
        });
        running.add(call);
        long timeoutMillis = tool.timeout().toMillis();
        running.add(TIMER.schedule(() -> {
            if (replied.compareAndSet(false, true)) {
                call.cancel(true);
                // sent from a handler thread: a write to a worker that stopped reading must not stall the shared timer
                HANDLERS.execute(() -> reply(execId, callId, null, "tool '" + name + "' did not answer within " + timeoutMillis + " ms"));
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS));
    }

    /** A throwable's class and message, even when its {@code getMessage()} itself throws. */
    private static String describe(Throwable t) {
        String message;
        try {
            message = t.getMessage();
        } catch (RuntimeException | LinkageError e) {
            message = "(its message failed: " + e.getClass().getSimpleName() + ")";
        }
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Sends the value, or the error when {@code error != null}; a value that cannot travel becomes an error. */
    private void reply(long execId, long callId, Object value, String error) {
        Out out = new Out().writeLong(execId).writeLong(callId);
        if (error == null) {
            try {
                Out v = new Out().writeLong(execId).writeLong(callId).writeBoolean(true);
                Values.write(v, value);
                if (v.size() + 1 <= Frame.MAX_LENGTH) {
                    worker.send(Frame.TOOL_RESULT, v);
                    return;
                }
                error = "the tool's value takes " + v.size() + " bytes, more than the " + Frame.MAX_LENGTH + "-byte frame holds";
            } catch (IllegalArgumentException e) {
                error = "the tool returned a value that cannot travel to the snippet: " + e.getMessage();
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // a value that fails while it is read (a lazy collection): the snippet must still get an answer
                error = "the tool's value could not be read: " + describe(e);
            }
        }
        String e = error.length() > 4096 ? error.substring(0, 4096) + "..." : error;
        worker.send(Frame.TOOL_RESULT, out.writeBoolean(false).writeString(e));
        log.debug("{} - tool call {} failed: {}", worker.name(), callId, e);
    }

    /** Interrupts the handlers still running: their execution is over. */
    void cancelAll() {
        running.forEach(f -> f.cancel(true));
        running.clear();
    }
}
