package io.poolkit.session.internal;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.Out;
import io.poolkit.session.internal.wire.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
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
    private final Object writeLock = new Object();
    private volatile String closedReason;

    private Connection(SocketChannel channel) {
        this.channel = channel;
    }

    /** Starts reading {@code channel} on a daemon thread named {@code threadName}. */
    public static Connection open(SocketChannel channel, String threadName) {
        Connection c = new Connection(channel);
        Thread t = new Thread(c::readLoop, threadName);
        t.setDaemon(true);
        t.start();
        return c;
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

    /** Sends a frame; false (and the connection closed) when it cannot be written. */
    public boolean send(byte type, Out payload) {
        if (closedReason != null) {
            return false;
        }
        try {
            synchronized (writeLock) {
                Frame.write(channel, type, payload);
            }
            return true;
        } catch (IOException e) {
            close("the connection to the worker failed: " + e.getMessage());
            return false;
        }
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
