package io.poolkit.ssh.internal;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Where a command's output goes while MINA's I/O thread delivers it: an append that never blocks,
 * keeping at most {@code cap} bytes and counting the rest as dropped. Thread-safe.
 */
final class CappedBuffer extends OutputStream {
    private final int cap;
    private byte[] bytes = new byte[256];
    private int size;
    private long dropped;

    CappedBuffer(int cap) {
        this.cap = cap;
    }

    @Override
    public synchronized void write(int b) {
        if (size < cap) {
            grow(size + 1);
            bytes[size++] = (byte) b;
        } else {
            dropped++;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int keep = Math.min(len, cap - size);
        if (keep > 0) {
            grow(size + keep);
            System.arraycopy(b, off, bytes, size, keep);
            size += keep;
        }
        dropped += len - Math.max(0, keep);
    }

    private void grow(int needed) {
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(cap, Math.max(needed, bytes.length * 2)));
        }
    }

    synchronized byte[] bytes() {
        return Arrays.copyOf(bytes, size);
    }

    synchronized boolean truncated() {
        return dropped > 0;
    }
}
