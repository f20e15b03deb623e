package io.poolkit.session.internal.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds one frame's payload. Not thread-safe. */
public final class Out {
    private byte[] b = new byte[64];
    private int size;

    private void ensure(int more) {
        if (size + more > b.length) {
            long want = Math.max((long) b.length * 2, (long) size + more);
            if (want > Frame.MAX_LENGTH) {
                want = Math.max((long) size + more, Frame.MAX_LENGTH);
            }
            if (want > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("payload too large");
            }
            b = Arrays.copyOf(b, (int) want);
        }
    }

    public int size() {
        return size;
    }

    public Out writeByte(int v) {
        ensure(1);
        b[size++] = (byte) v;
        return this;
    }

    public Out writeBoolean(boolean v) {
        return writeByte(v ? 1 : 0);
    }

    public Out writeInt(int v) {
        ensure(4);
        b[size++] = (byte) (v >>> 24);
        b[size++] = (byte) (v >>> 16);
        b[size++] = (byte) (v >>> 8);
        b[size++] = (byte) v;
        return this;
    }

    public Out writeLong(long v) {
        writeInt((int) (v >>> 32));
        return writeInt((int) v);
    }

    public Out writeDouble(double v) {
        return writeLong(Double.doubleToRawLongBits(v));
    }

    public Out writeBytes(byte[] bytes, int off, int len) {
        writeInt(len);
        ensure(len);
        System.arraycopy(bytes, off, b, size, len);
        size += len;
        return this;
    }

    public Out writeString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return writeBytes(bytes, 0, bytes.length);
    }

    void writeTo(ByteBuffer buf) {
        buf.put(b, 0, size);
    }
}
