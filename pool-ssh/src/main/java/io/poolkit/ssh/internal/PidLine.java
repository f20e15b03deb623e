package io.poolkit.ssh.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Standard error of a wrapped command: its first line is the wrapper's {@code <marker><pid>\n},
 * which this takes out (the caller never sees it) and remembers, so a command the server will not
 * signal can still be killed by pid from a second channel. Everything else passes through. Called by
 * MINA's I/O thread; never blocks.
 */
final class PidLine extends OutputStream {
    private static final int MAX_LINE = 96;

    private final byte[] marker;
    private final OutputStream out;
    private final byte[] head = new byte[MAX_LINE];
    private int headSize;
    private boolean done;
    private volatile long pid = -1;

    PidLine(String marker, OutputStream out) {
        this.marker = marker.getBytes(StandardCharsets.US_ASCII);
        this.out = out;
    }

    /** @return the remote pid, or -1 while unknown */
    long pid() {
        return pid;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (done) {
            out.write(b, off, len);
            return;
        }
        int i = 0;
        while (i < len && !done) {
            byte c = b[off + i++];
            if (headSize < marker.length ? c != marker[headSize] : !(c == '\n' || (c >= '0' && c <= '9')) || headSize >= MAX_LINE) {
                // not the wrapper's line: pass what was held back, and the rest
                done = true;
                out.write(head, 0, headSize);
                out.write(c);
                break;
            }
            if (c == '\n') {
                done = true;
                String digits = new String(head, marker.length, headSize - marker.length, StandardCharsets.US_ASCII);
                try {
                    pid = Long.parseLong(digits);
                } catch (NumberFormatException e) {
                    pid = -1;
                }
                break;
            }
            head[headSize++] = c;
        }
        if (i < len) {
            out.write(b, off + i, len - i);
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }
}
