package io.poolkit.session.internal.worker;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.Out;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/**
 * What snippets write to {@code System.out} or {@code System.err}: sent to the host in chunks,
 * within the execution's output budget. Bytes written by a thread that does not belong to the
 * running execution (a leftover thread, a JDK 17 finalizer) are dropped; bytes past the budget are
 * dropped and stop the execution (the first byte past it is sent, so the host sees the limit hit).
 */
final class Capture extends OutputStream {
    static final int CHUNK = 16 * 1024;

    private final WorkerMain worker;
    private final int stream;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private Run bufferedFor;

    Capture(WorkerMain worker, int stream) {
        this.worker = worker;
        this.stream = stream;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        Run r = worker.runOfThisThread();
        if (r == null || len <= 0) {
            return;
        }
        if (bufferedFor != r) {
            buf.reset();
            bufferedFor = r;
        }
        int fit = r.reserveOutput(len);
        buf.write(b, off, fit);
        if (buf.size() >= CHUNK) {
            flushTo(r);
        }
        if (r.overLimit()) {
            worker.stopFor(r, Run.OUTPUT_LIMIT);
        }
    }

    /** Sends what is buffered for {@code r}; called at the end of a run before its result. */
    synchronized void drain(Run r) {
        if (bufferedFor == r) {
            flushTo(r);
        }
        bufferedFor = null;
        buf.reset();
    }

    private void flushTo(Run r) {
        byte[] all = buf.toByteArray();
        buf.reset();
        for (int off = 0; off < all.length; off += CHUNK) {
            int n = Math.min(CHUNK, all.length - off);
            worker.link().send(Frame.OUTPUT, new Out().writeLong(r.id).writeByte(stream).writeBytes(all, off, n));
        }
    }
}
