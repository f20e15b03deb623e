package io.poolkit.session.internal.worker;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.Out;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/** The worker's end of the socket: one reader (the main loop), writers serialised here. */
final class Link {
    private final SocketChannel ch;
    private final Object writeLock = new Object();

    Link(SocketChannel ch) {
        this.ch = ch;
    }

    Frame read() throws IOException {
        return Frame.read(ch, Frame.MAX_LENGTH);
    }

    /** Sends a frame; a broken link means the host is gone, and the worker ends at once. */
    void send(byte type, Out payload) {
        try {
            synchronized (writeLock) {
                Frame.write(ch, type, payload);
            }
        } catch (IOException e) {
            WorkerMain.halt(0, "the host closed the link: " + e.getMessage());
        }
    }
}
