package io.poolkit.ssh.internal;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * A pipe from MINA's I/O thread to a reader: writes never block (bytes beyond {@code cap} not yet
 * read are dropped), reads block until data or end. Thread-safe.
 */
final class StreamPipe extends OutputStream {
    private final int cap;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int buffered;
    private int headOffset;
    private boolean ended;
    private long dropped;

    StreamPipe(int cap) {
        this.cap = cap;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (ended) {
            return;
        }
        int keep = Math.min(len, cap - buffered);
        if (keep > 0) {
            byte[] copy = new byte[keep];
            System.arraycopy(b, off, copy, 0, keep);
            chunks.addLast(copy);
            buffered += keep;
            notifyAll();
        }
        dropped += len - Math.max(0, keep);
    }

    /** End of stream: readers get what is buffered, then -1. */
    @Override
    public synchronized void close() {
        ended = true;
        notifyAll();
    }

    synchronized long dropped() {
        return dropped;
    }

    final InputStream input = new InputStream() {
        @Override
        public int read() throws InterruptedIOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws InterruptedIOException {
            if (len == 0) {
                return 0;
            }
            synchronized (StreamPipe.this) {
                while (chunks.isEmpty() && !ended) {
                    try {
                        StreamPipe.this.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while reading stderr");
                    }
                }
                if (chunks.isEmpty()) {
                    return -1;
                }
                byte[] head = chunks.peekFirst();
                int n = Math.min(len, head.length - headOffset);
                System.arraycopy(head, headOffset, b, off, n);
                headOffset += n;
                buffered -= n;
                if (headOffset == head.length) {
                    chunks.pollFirst();
                    headOffset = 0;
                }
                return n;
            }
        }

        @Override
        public int available() {
            synchronized (StreamPipe.this) {
                return buffered;
            }
        }
    };
}
