package io.poolkit.ssh.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Standard error of a wrapped command: the wrapper writes {@code <marker><pid>\n} on a line of its
 * own, which this takes out (the caller never sees it) and remembers, so a command the server will
 * not signal can still be killed by pid from a second channel. The line is looked for at the start
 * of every line within the first {@value #SCAN} bytes, since sshd or the login shell may write
 * something first ("Could not chdir to home directory", a locale warning); everything else passes
 * through, including bytes held back while they looked like the marker ({@link #finish()}). Called
 * by MINA's I/O thread; never blocks.
 */
final class PidLine extends OutputStream {
    private static final int MAX_LINE = 96;
    /** How far into stderr the wrapper's line is looked for. */
    static final int SCAN = 4096;

    private final byte[] marker;
    private final OutputStream out;
    private final byte[] head = new byte[MAX_LINE];
    private int headSize;
    /** Whether the bytes since the last line break could still be the wrapper's line. */
    private boolean candidate = true;
    private int scanned;
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
        int i = 0;
        while (i < len && !done) {
            byte c = b[off + i++];
            scanned++;
            if (!candidate) {
                out.write(c);
                candidate = c == '\n';
            } else if (headSize < marker.length ? c == marker[headSize]
                    : headSize < MAX_LINE && (c == '\n' || (c >= '0' && c <= '9'))) {
                if (c == '\n') { // the wrapper's line: keep the pid, drop the line
                    done = true;
                    String digits = new String(head, marker.length, headSize - marker.length, StandardCharsets.US_ASCII);
                    try {
                        pid = Long.parseLong(digits);
                    } catch (NumberFormatException e) {
                        pid = -1;
                    }
                    headSize = 0;
                } else {
                    head[headSize++] = c;
                }
            } else { // not the wrapper's line: pass what was held back, and this byte
                out.write(head, 0, headSize);
                headSize = 0;
                out.write(c);
                candidate = c == '\n';
            }
            if (!done && scanned >= SCAN && headSize == 0) {
                done = true; // looked far enough: the rest passes straight through
            }
        }
        if (i < len) {
            out.write(b, off + i, len - i);
        }
    }

    /** The stream ended: bytes held back because they looked like the start of the marker are the command's. */
    synchronized void finish() throws IOException {
        if (headSize > 0) {
            out.write(head, 0, headSize);
            headSize = 0;
        }
        done = true;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }
}
