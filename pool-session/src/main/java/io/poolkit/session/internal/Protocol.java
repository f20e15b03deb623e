package io.poolkit.session.internal;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.In;
import io.poolkit.session.internal.wire.ProtocolException;
import io.poolkit.session.internal.wire.Values;

/**
 * What a worker may send, and when: the host's half of the protocol, for any worker (the JShell
 * worker today; a Python or R one speaks the same frames). The reader thread passes every frame
 * through here <em>as it arrives</em>, before it is queued: a frame that is not valid in the
 * session's current state is a violation, and the connection is closed and the worker killed.
 *
 * <pre>
 *   HANDSHAKE --HELLO--> IDLE --host sends EXECUTE(id)--> RUNNING(id) --RESULT(id)--> IDLE
 * </pre>
 *
 * <ul>
 * <li>HANDSHAKE: one HELLO, nothing else.
 * <li>IDLE: nothing at all. A worker has nothing to say between executions: output, a tool call or
 *     a result now comes from code still running after its execution ended (a forged or early
 *     RESULT, a flood of tiny frames), and is refused before a byte of its payload is read.
 * <li>RUNNING(id): OUTPUT, TOOL_CALL and RESULT of execution {@code id} only (another id is a
 *     violation: an honest worker ends each execution with its RESULT, or is killed). OUTPUT
 *     carries at least one byte, at most {@code maxOutputBytes + 1} in all (a worker stops the
 *     snippet and sends one byte past the limit, so the host sees the limit hit), in at most
 *     {@code 16 + bytes / 256} frames (a worker buffers its output); at most {@code maxToolCalls}
 *     TOOL_CALLs. The RESULT ends the execution: anything after it is the IDLE case.
 * </ul>
 *
 * <p>Thread-safe: the caller's thread begins executions, the reader thread admits frames; both
 * under this object's lock, held for a few field reads.
 */
public final class Protocol implements Frame.Admission {
    /** Output frames an execution may send beyond one per {@link #BYTES_PER_OUTPUT_FRAME} bytes. */
    static final int FREE_OUTPUT_FRAMES = 16;
    static final int BYTES_PER_OUTPUT_FRAME = 256;
    /** The longest HELLO: a token, a version and a few short fields. */
    static final int MAX_HELLO_LENGTH = 1024;

    private enum State { HANDSHAKE, IDLE, RUNNING }

    private State state = State.HANDSHAKE;
    private long runningId;
    private long maxOutputBytes;
    private int maxToolCalls;
    private long outputBytes;
    private long outputFrames;
    private int toolCalls;

    /** Called before EXECUTE is sent: from now on frames of execution {@code id} are expected. */
    public synchronized void begin(long id, int maxOutputBytes, int maxToolCalls) {
        if (state != State.IDLE) {
            throw new IllegalStateException("an execution begins only while the worker is idle, but it is " + state);
        }
        state = State.RUNNING;
        runningId = id;
        this.maxOutputBytes = maxOutputBytes;
        this.maxToolCalls = maxToolCalls;
        outputBytes = 0;
        outputFrames = 0;
        toolCalls = 0;
    }

    /** @return whether an execution is running (its RESULT has not come) */
    public synchronized boolean running() {
        return state == State.RUNNING;
    }

    @Override
    public synchronized void admit(byte type, int length) throws ProtocolException {
        switch (state) {
            case HANDSHAKE:
                if (type != Frame.HELLO || length > MAX_HELLO_LENGTH) {
                    throw new ProtocolException("the worker's first frame must be a HELLO of at most " + MAX_HELLO_LENGTH
                            + " bytes, but was of type " + type + " and " + length + " bytes");
                }
                return;
            case IDLE:
                throw new ProtocolException("the worker sent a frame of type " + type + " (" + length
                        + " bytes) while no execution was running");
            default:
                if (type != Frame.OUTPUT && type != Frame.TOOL_CALL && type != Frame.RESULT) {
                    throw new ProtocolException("a worker may not send frames of type " + type + " during an execution");
                }
        }
    }

    /** Checks a whole frame against the state and the execution's budgets; a RESULT ends the execution. */
    public synchronized void accept(Frame f) throws ProtocolException {
        admit(f.type(), f.length());
        if (state == State.HANDSHAKE) {
            state = State.IDLE;
            return;
        }
        In in = f.in();
        long id = in.readLong();
        if (id != runningId) {
            throw new ProtocolException("the worker sent a frame of type " + f.type() + " for execution " + id + " while "
                    + runningId + " runs");
        }
        switch (f.type()) {
            case Frame.OUTPUT: {
                long n = f.length() - 1 - 8 - 1 - 4; // the id, the stream and the byte count are not output
                if (n < 1) {
                    throw new ProtocolException("an OUTPUT frame must carry at least one byte");
                }
                outputBytes += n;
                outputFrames++;
                if (outputBytes > maxOutputBytes + 1) {
                    throw new ProtocolException("the worker sent " + outputBytes + " bytes of output, more than maxOutputBytes ("
                            + maxOutputBytes + ") and the one byte past it that shows the limit was hit");
                }
                if (outputFrames > FREE_OUTPUT_FRAMES + outputBytes / BYTES_PER_OUTPUT_FRAME) {
                    throw new ProtocolException("the worker sent " + outputFrames + " OUTPUT frames for " + outputBytes
                            + " bytes: more than " + FREE_OUTPUT_FRAMES + " and one per " + BYTES_PER_OUTPUT_FRAME + " bytes");
                }
                return;
            }
            case Frame.TOOL_CALL:
                if (++toolCalls > maxToolCalls) {
                    throw new ProtocolException("the worker sent tool call " + toolCalls + ", more than maxToolCalls (" + maxToolCalls + ")");
                }
                return;
            default: // RESULT
                state = State.IDLE;
        }
    }

    /** An OUTPUT frame: execution id, stream (1 out, 2 err), bytes. */
    public record Output(long execution, byte stream, byte[] bytes) {
        public static Output decode(In in) throws ProtocolException {
            long id = in.readLong();
            byte stream = in.readByte();
            byte[] bytes = in.readBytes(Frame.MAX_LENGTH);
            in.end();
            if (stream != 1 && stream != 2) {
                throw new ProtocolException("output stream must be 1 or 2, but was " + stream);
            }
            return new Output(id, stream, bytes);
        }
    }

    /**
     * A RESULT frame: execution id, status, value, exception class, message, stack trace, leftovers.
     *
     * @param status {@link #OK}, {@link #COMPILE_ERROR}, {@link #EXCEPTION}, {@link #STOPPED} or {@link #FAILED}
     */
    public record Result(long execution, byte status, String value, String errorClass, String message, String stackTrace,
            String leftover) {
        public static final byte OK = 0;
        public static final byte COMPILE_ERROR = 1;
        public static final byte EXCEPTION = 2;
        public static final byte STOPPED = 3;
        public static final byte FAILED = 5;

        public static Result decode(In in) throws ProtocolException {
            Result r = new Result(in.readLong(), in.readByte(), in.readString(), in.readString(1024), in.readString(), in.readString(),
                    in.readString(4096));
            in.end();
            byte s = r.status();
            if (s != OK && s != COMPILE_ERROR && s != EXCEPTION && s != STOPPED && s != FAILED) {
                throw new ProtocolException("unknown result status " + s);
            }
            return r;
        }
    }

    /** A TOOL_CALL frame: execution id, call id, tool name, arguments (a value, see {@link Values}). */
    public record ToolCall(long execution, long call, String name, Object arguments) {
        public static ToolCall decode(In in) throws ProtocolException {
            ToolCall c = new ToolCall(in.readLong(), in.readLong(), in.readString(1024), Values.read(in));
            in.end();
            return c;
        }
    }

    /** A HELLO frame: the token, the protocol version, the runtime's version, the worker's pid inside. */
    public record Hello(String token, int version, String runtimeVersion, long pid) {
        public static Hello decode(In in) throws ProtocolException {
            Hello h = new Hello(in.readString(256), in.readInt(), in.readString(64), in.readLong());
            in.end();
            return h;
        }
    }
}
