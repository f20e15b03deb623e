package io.poolkit.session.internal.wire;

import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked reader over one frame's payload. Every read checks the bytes left first and
 * fails with {@link ProtocolException}, never an unchecked exception, so hostile input cannot make
 * the reader allocate, loop or throw anything unexpected.
 */
public final class In {
    private final byte[] b;
    private int pos;

    In(byte[] payload) {
        this.b = payload;
    }

    public int remaining() {
        return b.length - pos;
    }

    private void need(int n, String what) throws ProtocolException {
        if (n < 0 || n > remaining()) {
            throw new ProtocolException("truncated frame: " + what + " needs " + n + " bytes, " + remaining() + " left");
        }
    }

    public byte readByte() throws ProtocolException {
        need(1, "a byte");
        return b[pos++];
    }

    public boolean readBoolean() throws ProtocolException {
        byte v = readByte();
        if (v != 0 && v != 1) {
            throw new ProtocolException("a boolean must be 0 or 1, but was " + v);
        }
        return v == 1;
    }

    public int readInt() throws ProtocolException {
        need(4, "an int");
        int v = ((b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long readLong() throws ProtocolException {
        long hi = readInt() & 0xffffffffL;
        long lo = readInt() & 0xffffffffL;
        return (hi << 32) | lo;
    }

    public double readDouble() throws ProtocolException {
        return Double.longBitsToDouble(readLong());
    }

    /** A non-negative int no larger than {@code max}. */
    public int readCount(int max, String what) throws ProtocolException {
        int n = readInt();
        if (n < 0 || n > max) {
            throw new ProtocolException(what + " " + n + " is outside 0.." + max);
        }
        return n;
    }

    /**
     * A length of at most {@code max} that the bytes left after it can hold. (Found by WireFuzzTest:
     * checked against what was left before the length's own four bytes were read, a length that
     * overran by up to four bytes threw StringIndexOutOfBoundsException instead of this.)
     */
    private int readLength(int max, String what) throws ProtocolException {
        int n = readInt();
        if (n < 0 || n > max || n > remaining()) {
            throw new ProtocolException(what + " " + n + " is outside 0.." + Math.min(max, remaining()));
        }
        return n;
    }

    public byte[] readBytes(int max) throws ProtocolException {
        int n = readLength(max, "byte count");
        byte[] out = new byte[n];
        System.arraycopy(b, pos, out, 0, n);
        pos += n;
        return out;
    }

    /** A UTF-8 string of at most {@code maxBytes} encoded bytes (malformed input is replaced, never fatal). */
    public String readString(int maxBytes) throws ProtocolException {
        int n = readLength(maxBytes, "string length");
        String s = new String(b, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    public String readString() throws ProtocolException {
        return readString(Frame.MAX_LENGTH);
    }

    /** Fails unless the whole payload was read: trailing bytes mean the peer speaks another layout. */
    public void end() throws ProtocolException {
        if (remaining() != 0) {
            throw new ProtocolException(remaining() + " unexpected trailing bytes in a frame");
        }
    }
}
