package io.poolkit.session.internal.worker;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.In;
import io.poolkit.session.internal.wire.Out;
import io.poolkit.session.internal.wire.ProtocolException;
import io.poolkit.session.internal.wire.Values;
import io.poolkit.session.snippet.ToolException;
import io.poolkit.session.snippet.Tools;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/** Snippet-side tool calls: a TOOL_CALL frame out, the caller parked until its TOOL_RESULT comes back. */
final class Bridge implements Tools.Backend {
    private final WorkerMain worker;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private volatile List<String[]> tools = List.of();

    private record Reply(boolean ok, Object value, String error) {
    }

    Bridge(WorkerMain worker) {
        this.worker = worker;
    }

    void setTools(List<String[]> tools) {
        this.tools = List.copyOf(tools);
    }

    @Override
    public List<String[]> describe() {
        return tools;
    }

    @Override
    public Object call(String name, Map<String, ?> args) {
        Run run = worker.runOfThisThread();
        if (run == null) {
            throw new ToolException("tools.call(\"" + name + "\") works only on the running execution's threads, not from a thread"
                    + " that outlived its execution or one the execution did not start");
        }
        if (run.toolCalls.incrementAndGet() > run.maxToolCalls) {
            throw new ToolException("tool call limit reached: at most " + run.maxToolCalls + " tool calls per execution (Limits.maxToolCalls)");
        }
        long callId = ids.incrementAndGet();
        Out out = new Out().writeLong(run.id).writeLong(callId).writeString(name);
        try {
            Values.write(out, args);
        } catch (IllegalArgumentException e) {
            throw new ToolException("tools.call(\"" + name + "\"): argument " + e.getMessage());
        }
        if (out.size() + 1 > Frame.MAX_LENGTH) {
            throw new ToolException("tools.call(\"" + name + "\"): the arguments take " + out.size() + " bytes, more than the "
                    + Frame.MAX_LENGTH + "-byte frame cap");
        }
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        pending.put(callId, reply);
        try {
            worker.link().send(Frame.TOOL_CALL, out);
            Reply r = reply.get();
            if (!r.ok()) {
                throw new ToolException(r.error());
            }
            return r.value();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException("tools.call(\"" + name + "\") was interrupted: the execution is being stopped");
        } catch (ExecutionException e) {
            throw new ToolException("tools.call(\"" + name + "\") failed: " + e.getCause());
        } finally {
            pending.remove(callId);
        }
    }

    /** A TOOL_RESULT frame: execution id, call id, ok flag, then the value or the error text. */
    void complete(In in) throws ProtocolException {
        in.readLong();
        long callId = in.readLong();
        boolean ok = in.readBoolean();
        Reply reply = ok ? new Reply(true, Values.read(in), null) : new Reply(false, null, in.readString());
        in.end();
        CompletableFuture<Reply> f = pending.get(callId);
        if (f != null) {
            f.complete(reply);
        }
    }
}
