package io.poolkit.session.internal;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.Out;
import io.poolkit.session.internal.wire.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host's end of one worker socket. A daemon reader thread reads frames (each size-checked
 * before it is read, and only of the types a worker may send) into an inbox; the session's caller
 * takes them with a timeout. Everything from the worker is hostile: an oversized or unknown frame,
 * or more unread data than {@link #MAX_QUEUED_BYTES}, closes the connection with the reason.
 * Thread-safe.
 */
public final class Connection implements AutoCloseable {
    /** Unread frames may hold at most this much; a worker sending what nobody asked for is cut off. */
    static final long MAX_QUEUED_BYTES = 16L << 20;

    /** The last item of an inbox: why the connection ended. */
    public record Closed(String reason) {
    }

    private final SocketChannel channel;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final LinkedBlockingQueue<ByteBuffer> outbox = new LinkedBlockingQueue<>();
    private final AtomicLong unsentBytes = new AtomicLong();
    private volatile String closedReason;

    private Connection(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * Starts reading {@code channel} on a daemon thread named {@code threadName}, and writing it on
     * another ({@code threadName} with "-writer"): callers only queue frames, so neither an
     * interrupted caller (an interrupt closes a socket channel mid-write) nor a worker that stopped
     * reading (a blocked write has no timeout) can hold a caller or break a healthy session.
     */
    public static Connection open(SocketChannel channel, String threadName) {
        Connection c = new Connection(channel);
        Thread t = new Thread(c::readLoop, threadName);
        t.setDaemon(true);
        t.start();
        Thread w = new Thread(c::writeLoop, threadName + "-writer");
        w.setDaemon(true);
        w.start();
        return c;
    }

    private void writeLoop() {
        while (closedReason == null) {
            ByteBuffer b;
            try {
                b = outbox.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            if (b == null) {
                continue;
            }
            try {
                int n = b.remaining();
                while (b.hasRemaining()) {
                    channel.write(b);
                }
                unsentBytes.addAndGet(-n);
            } catch (IOException e) {
                close(closedReason != null ? closedReason : "the connection to the worker failed: " + e.getMessage());
            }
        }
        outbox.clear();
    }

    private void readLoop() {
        String reason;
        try {
            for (;;) {
                Frame f = Frame.read(channel, Frame.MAX_LENGTH);
                byte type = f.type();
                if (type != Frame.HELLO && type != Frame.OUTPUT && type != Frame.TOOL_CALL && type != Frame.RESULT) {
                    throw new ProtocolException("a worker may not send frames of type " + type);
                }
                if (queuedBytes.addAndGet(f.length()) > MAX_QUEUED_BYTES) {
                    throw new ProtocolException("the worker sent more than " + (MAX_QUEUED_BYTES >> 20) + " MiB that the host did not ask for");
                }
                inbox.add(f);
            }
        } catch (EOFException e) {
            reason = "the worker closed its connection";
        } catch (ProtocolException e) {
            reason = "the worker broke the protocol: " + e.getMessage();
        } catch (IOException e) {
            reason = closedReason != null ? closedReason : "the connection to the worker failed: " + e.getMessage();
        }
        close(reason);
    }

    /**
     * @return the next frame, a {@link Closed} (repeated on every later call), or null when none came within {@code nanos}
     */
    public Object poll(long nanos) throws InterruptedException {
        Object o = inbox.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        if (o instanceof Frame f) {
            queuedBytes.addAndGet(-f.length());
        } else if (o instanceof Closed) {
            inbox.add(o);
        }
        return o;
    }

    /** Drops every frame waiting in the inbox (left over from an earlier execution). */
    public void clearStale() {
        Object o;
        while ((o = inbox.peek()) instanceof Frame) {
            if (inbox.remove(o)) {
                queuedBytes.addAndGet(-((Frame) o).length());
            }
        }
    }

    /**
     * Queues a frame for the writer thread.
     *
     * @return false (and the connection closed) when it is closed, or when the worker has left more
     *     than {@link #MAX_QUEUED_BYTES} unread: it stopped reading
     */
    public boolean send(byte type, Out payload) {
        if (closedReason != null) {
            return false;
        }
        ByteBuffer b = Frame.encode(type, payload);
        if (unsentBytes.addAndGet(b.remaining()) > MAX_QUEUED_BYTES) {
            close("the worker stopped reading: more than " + (MAX_QUEUED_BYTES >> 20) + " MiB unsent");
            return false;
        }
        outbox.add(b);
        return true;
    }

    /** @return null while open, else why it closed */
    public String closedReason() {
        return closedReason;
    }

    /** Closes the connection for {@code reason} (the first reason given is kept). */
    public void close(String reason) {
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            closedReason = reason;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        inbox.add(new Closed(reason));
    }

    @Override
    public void close() {
        close("closed by the host");
    }
}
