package io.poolkit.session.internal.wire;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * One length-prefixed frame: a 4-byte big-endian length {@code n} (1 to {@link #MAX_LENGTH}), then
 * {@code n} bytes: a type byte and the payload. The length is checked before anything is allocated
 * or parsed, so a peer cannot make the reader allocate more than {@link #MAX_LENGTH} bytes per frame.
 *
 * <p>Frame types, host to worker: {@link #EXECUTE}, {@link #STOP}, {@link #TOOL_RESULT},
 * {@link #RESET}; worker to host: {@link #HELLO}, {@link #OUTPUT}, {@link #TOOL_CALL},
 * {@link #RESULT}.
 */
public final class Frame {
    /** The largest frame, type byte and payload together: 1 MiB. */
    public static final int MAX_LENGTH = 1 << 20;

    /** Bumped whenever a frame's layout changes; host and worker must agree. */
    public static final int PROTOCOL_VERSION = 2;

    // worker -> host
    public static final byte HELLO = 1;
    public static final byte OUTPUT = 2;
    public static final byte TOOL_CALL = 3;
    public static final byte RESULT = 4;
    // host -> worker
    public static final byte EXECUTE = 10;
    public static final byte STOP = 11;
    public static final byte TOOL_RESULT = 12;
    public static final byte RESET = 13;
    public static final byte TOOLS = 14;

    private final byte type;
    private final byte[] payload;

    public Frame(byte type, byte[] payload) {
        this.type = type;
        this.payload = payload;
    }

    public byte type() {
        return type;
    }

    /** @return a bounded reader over the payload */
    public In in() {
        return new In(payload);
    }

    public int length() {
        return payload.length + 1;
    }

    /** Decides, from a frame's type and length alone, whether the reader may take its payload at all. */
    @FunctionalInterface
    public interface Admission {
        /** @throws ProtocolException when a frame of this type and length is not acceptable now */
        void admit(byte type, int length) throws ProtocolException;
    }

    /**
     * Reads one frame, blocking.
     *
     * @param ch the channel, in blocking mode
     * @param maxLength the largest frame accepted (at most {@link #MAX_LENGTH})
     * @return the frame
     * @throws EOFException when the peer closed the channel between frames
     * @throws ProtocolException when the length is out of bounds or the stream ends inside a frame
     * @throws IOException on a read failure
     */
    public static Frame read(ReadableByteChannel ch, int maxLength) throws IOException {
        return read(ch, maxLength, (type, length) -> { });
    }

    /**
     * Reads one frame, blocking; the payload is allocated (once, exactly its size) only after the
     * length is within bounds and {@code admission} accepted the type.
     *
     * @throws ProtocolException also when {@code admission} refuses the frame
     */
    public static Frame read(ReadableByteChannel ch, int maxLength, Admission admission) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(5);
        header.limit(4);
        if (!readFully(ch, header, true)) {
            throw new EOFException("peer closed the channel");
        }
        int length = header.getInt(0);
        if (length < 1 || length > maxLength) {
            throw new ProtocolException("frame length " + length + " is outside 1.." + maxLength);
        }
        header.limit(5);
        readFully(ch, header, false);
        byte type = header.get(4);
        admission.admit(type, length);
        ByteBuffer payload = ByteBuffer.allocate(length - 1);
        readFully(ch, payload, false);
        return new Frame(type, payload.array());
    }

    /** @return false when the channel ended before the first byte and {@code eofOk} */
    private static boolean readFully(ReadableByteChannel ch, ByteBuffer buf, boolean eofOk) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                if (eofOk && buf.position() == 0) {
                    return false;
                }
                throw new ProtocolException("the stream ended inside a frame (" + buf.position() + " of " + buf.capacity() + " bytes)");
            }
        }
        return true;
    }

    /**
     * Writes one frame; the caller serialises writers.
     *
     * @throws IllegalArgumentException when the frame would exceed {@link #MAX_LENGTH}
     */
    public static void write(WritableByteChannel ch, byte type, Out payload) throws IOException {
        ByteBuffer buf = encode(type, payload);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /**
     * @return the frame's bytes, ready to write
     * @throws IllegalArgumentException when the frame would exceed {@link #MAX_LENGTH}
     */
    public static ByteBuffer encode(byte type, Out payload) {
        int length = payload.size() + 1;
        if (length > MAX_LENGTH) {
            throw new IllegalArgumentException("frame of " + length + " bytes exceeds the " + MAX_LENGTH + "-byte cap");
        }
        ByteBuffer buf = ByteBuffer.allocate(4 + length);
        buf.putInt(length).put(type);
        payload.writeTo(buf);
        buf.flip();
        return buf;
    }
}
