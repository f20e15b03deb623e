package io.poolkit.session.internal.worker;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.Out;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The worker's end of the socket: one reader (the main loop) and one writer thread. Snippet threads
 * (printing, calling tools) only queue frames: a socket channel is closed when a thread writing to
 * it is interrupted, and {@code JShell.stop()} interrupts snippet threads. The queue is bounded by
 * the execution's budgets (output bytes, tool calls), not here.
 */
final class Link {
    private final SocketChannel ch;
    private final LinkedBlockingQueue<ByteBuffer> queue = new LinkedBlockingQueue<>();

    Link(SocketChannel ch) {
        this.ch = ch;
        Thread writer = new Thread(this::writeLoop, "poolkit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    Frame read() throws IOException {
        return Frame.read(ch, Frame.MAX_LENGTH);
    }

    /** Queues a frame; the writer thread sends frames in the order they were queued. */
    void send(byte type, Out payload) {
        queue.add(Frame.encode(type, payload));
    }

    private void writeLoop() {
        for (;;) {
            ByteBuffer b;
            try {
                b = queue.take();
            } catch (InterruptedException e) {
                continue; // only a snippet would interrupt this thread: ignore it
            }
            try {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } catch (IOException e) {
                WorkerMain.halt(0, "the host closed the link: " + e);
            }
        }
    }
}
