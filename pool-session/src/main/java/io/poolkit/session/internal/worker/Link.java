package io.poolkit.session.internal.worker;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.Out;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The worker's end of the socket: one reader (the main loop) and one writer thread. Snippet threads
 * (printing, calling tools) only queue frames. The channel is non-blocking, each side waiting in a
 * selector of its own: an interrupt closes a socket channel in the middle of a blocking read or
 * write, and a snippet can interrupt any thread it finds ({@code JShell.stop()} interrupts snippet
 * threads too), which must not cost the session. The queue is bounded by the execution's budgets
 * (output bytes, tool calls), not here.
 */
final class Link {
    private final SocketChannel ch;
    private final LinkedBlockingQueue<ByteBuffer> queue = new LinkedBlockingQueue<>();
    private final Selector readable;
    private final Selector writable;
    private final ReadableByteChannel in = new ReadableByteChannel() {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            return readSome(dst);
        }

        @Override
        public boolean isOpen() {
            return ch.isOpen();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    };

    Link(SocketChannel ch) throws IOException {
        this.ch = ch;
        ch.configureBlocking(false);
        readable = Selector.open();
        writable = Selector.open();
        ch.register(readable, SelectionKey.OP_READ);
        ch.register(writable, SelectionKey.OP_WRITE);
        Thread writer = new Thread(WorkerMain.guarded(this::writeLoop), "poolkit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    Frame read() throws IOException {
        return Frame.read(in, Frame.MAX_LENGTH);
    }

    /** Reads what is there, waiting (interrupts only wake the wait) until something is. */
    private int readSome(ByteBuffer dst) throws IOException {
        for (;;) {
            int n = ch.read(dst);
            if (n != 0 || !dst.hasRemaining()) {
                return n;
            }
            Thread.interrupted(); // an interrupt would make every select return at once: a spinning reader
            readable.select();
            readable.selectedKeys().clear();
        }
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
            Thread.currentThread().setContextClassLoader(WorkerMain.class.getClassLoader());
            try {
                while (b.hasRemaining()) {
                    if (ch.write(b) == 0) {
                        Thread.interrupted();
                        writable.select();
                        writable.selectedKeys().clear();
                    }
                }
            } catch (IOException e) {
                WorkerMain.halt(0, "the host closed the link: " + e);
            }
        }
    }
}
