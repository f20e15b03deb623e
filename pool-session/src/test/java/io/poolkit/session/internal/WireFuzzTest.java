package io.poolkit.session.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.In;
import io.poolkit.session.internal.wire.ProtocolException;
import io.poolkit.session.internal.wire.Values;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * Jazzer over everything the host decodes from a worker (DESIGN "Fuzzed"): the frame reader with
 * the protocol's admission and state checks, the payload decoders (HELLO, OUTPUT, TOOL_CALL,
 * RESULT) and the value decoder. Any input must end in a {@link ProtocolException} or the end of
 * the stream, never another exception, a hang or an allocation beyond the caps: one frame's
 * payload ({@link Frame#MAX_LENGTH}) plus a small multiple of the input.
 *
 * <p>Jazzer fuzzes one test per JVM run, so there are two entry points to the same harness: a
 * seconds-long run that is part of {@code verify}, and the {@code fuzz} profile's ten million
 * inputs (BENCHMARKS.md has the command and the last result). Without {@code JAZZER_FUZZ} both
 * replay the inputs in {@code WireFuzzTestInputs/}, as regression tests.
 */
class WireFuzzTest {
    private static final long ALLOWANCE = 2L * Frame.MAX_LENGTH + (256 << 10);

    static {
        // every decoder once, so that loading (and Jazzer instrumenting) their classes is not charged to the first input
        byte[] frame = {0, 0, 0, 2, Frame.OUTPUT, 0};
        for (int target = 0; target < 8; target++) {
            for (byte setup : new byte[] {0, 1}) {
                byte[] input = new byte[2 + 16];
                input[0] = (byte) target;
                input[1] = setup;
                System.arraycopy(frame, 0, input, 2, frame.length);
                try {
                    decode(input);
                } catch (IOException expected) {
                    // warm-up only
                }
            }
        }
    }

    @FuzzTest(maxDuration = "5s")
    void decodersHoldForSeconds(byte[] input) throws IOException {
        check(input);
    }

    @FuzzTest(maxExecutions = 10_000_000, maxDuration = "3h")
    void decodersHoldForTenMillionInputs(byte[] input) throws IOException {
        check(input);
    }

    private static void check(byte[] input) throws IOException {
        long before = allocated();
        try {
            decode(input);
        } catch (ProtocolException | EOFException expected) {
            // the only ways hostile bytes may end
        }
        long used = allocated() - before;
        long bound = ALLOWANCE + 64L * input.length;
        if (used > bound) {
            throw new AssertionError("decoding " + input.length + " bytes allocated " + used + " bytes, more than " + bound);
        }
    }

    /** The first byte picks the decoder; the rest is its input. */
    private static void decode(byte[] input) throws IOException {
        if (input.length < 2) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(input, 2, input.length);
        switch (input[0] & 7) {
            case 0, 1, 2 -> frames(rest, input[1]);
            case 3 -> Values.read(in(rest));
            case 4 -> Protocol.Result.decode(in(rest));
            case 5 -> Protocol.ToolCall.decode(in(rest));
            case 6 -> Protocol.Output.decode(in(rest));
            default -> Protocol.Hello.decode(in(rest));
        }
    }

    private static In in(byte[] payload) {
        return new Frame(Frame.RESULT, payload).in();
    }

    /** A stream of frames as the host's reader takes them: admitted, checked against the state, decoded. */
    private static void frames(byte[] stream, byte setup) throws IOException {
        Protocol protocol = new Protocol();
        if ((setup & 1) != 0) { // past the handshake, with an execution running
            protocol.accept(new Frame(Frame.HELLO, new byte[0]));
            protocol.begin(setup >>> 1 & 3, (setup & 0x70) << 4, setup >>> 3 & 3);
        }
        ReadableByteChannel ch = channel(stream);
        for (int i = 0; i < 64; i++) {
            Frame f = Frame.read(ch, Frame.MAX_LENGTH, protocol);
            protocol.accept(f);
            In in = f.in();
            switch (f.type()) {
                case Frame.HELLO -> Protocol.Hello.decode(in);
                case Frame.OUTPUT -> Protocol.Output.decode(in);
                case Frame.TOOL_CALL -> Protocol.ToolCall.decode(in);
                default -> Protocol.Result.decode(in);
            }
        }
    }

    private static ReadableByteChannel channel(byte[] bytes) {
        ByteBuffer src = ByteBuffer.wrap(bytes);
        return new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) {
                if (!src.hasRemaining()) {
                    return -1;
                }
                int n = Math.min(dst.remaining(), src.remaining());
                ByteBuffer slice = src.slice();
                slice.limit(n);
                dst.put(slice);
                src.position(src.position() + n);
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    /** com.sun.management.ThreadMXBean through reflection: the test sources are compiled into the module, which does not read jdk.management. */
    private static final Object THREADS = ManagementFactory.getThreadMXBean();
    private static final Method ALLOCATED;

    static {
        try {
            ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long allocated() {
        try {
            return (Long) ALLOCATED.invoke(THREADS);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
