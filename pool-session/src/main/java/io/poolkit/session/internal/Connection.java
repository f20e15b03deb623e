package io.poolkit.session.internal;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.Out;
import io.poolkit.session.internal.wire.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The host's end of one worker's channel: an AF_UNIX socket, or a pair of FIFOs (an R worker's: R
 * has no AF_UNIX sockets), with the same caps either way. A daemon reader thread reads frames into an inbox; the
 * session's caller takes them with a timeout. Everything from the worker is hostile: each frame is
 * size-checked before it is read and passed through the session's {@link Protocol} as it arrives
 * (a frame not valid now — anything while idle — is refused before its payload is read), and
 * unread frames are charged at what they cost the host's heap, {@link #FRAME_OVERHEAD} bytes each
 * beyond their payload, within {@link #MAX_QUEUED_BYTES} and {@link #MAX_QUEUED_FRAMES}. A
 * violation closes the connection with the reason and tells the owner ({@link #onViolation}),
 * which kills the worker. Thread-safe.
 */
public final class Connection implements AutoCloseable {
    /** Unread frames may hold at most this much, overhead included; a worker sending what nobody asked for is cut off. */
    static final long MAX_QUEUED_BYTES = 16L << 20;
    /** At most this many unread frames, whatever their size. */
    static final int MAX_QUEUED_FRAMES = 4096;
    /**
     * What an unread frame costs beyond its payload: the Frame (16), the payload array's header and
     * padding (16 + 7), the queue's node (24), rounded up with room for the JVM's alignment.
     */
    static final int FRAME_OVERHEAD = 96;

    /** The last item of an inbox: why the connection ended. */
    public record Closed(String reason) {
    }

    private final ReadableByteChannel in;
    private final WritableByteChannel out;
    private final Protocol protocol;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicInteger queuedFrames = new AtomicInteger();
    private volatile Consumer<String> onViolation = reason -> { };
    private final LinkedBlockingQueue<ByteBuffer> outbox = new LinkedBlockingQueue<>();
    private final AtomicLong unsentBytes = new AtomicLong();
    private volatile String closedReason;

    private Connection(ReadableByteChannel in, WritableByteChannel out, Protocol protocol) {
        this.in = in;
        this.out = out;
        this.protocol = protocol;
    }

    /**
     * Starts reading {@code channel} on a daemon thread named {@code threadName}, and writing it on
     * another ({@code threadName} with "-writer"): callers only queue frames, so neither an
     * interrupted caller (an interrupt closes a socket channel mid-write) nor a worker that stopped
     * reading (a blocked write has no timeout) can hold a caller or break a healthy session.
     */
    public static Connection open(SocketChannel channel, String threadName) {
        return open(channel, threadName, new Protocol());
    }

    /** {@link #open(SocketChannel, String)} with the protocol state the frames are checked against. */
    static Connection open(ByteChannel channel, String threadName, Protocol protocol) {
        return open(channel, channel, threadName, protocol);
    }

    /**
     * {@link #open(SocketChannel, String)} over two channels, frames read from {@code in} and written to
     * {@code out} (a worker's FIFOs, in blocking mode; each must be closable from another thread, as
     * a {@link java.nio.channels.FileChannel} is, so that closing the connection frees its threads).
     */
    static Connection open(ReadableByteChannel in, WritableByteChannel out, String threadName) {
        return open(in, out, threadName, new Protocol());
    }

    private static Connection open(ReadableByteChannel in, WritableByteChannel out, String threadName, Protocol protocol) {
        Connection c = new Connection(in, out, protocol);
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
                    out.write(b);
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
                Frame f = Frame.read(in, Frame.MAX_LENGTH, protocol);
                protocol.accept(f);
                if (queuedFrames.incrementAndGet() > MAX_QUEUED_FRAMES) {
                    throw new ProtocolException("the worker sent more than " + MAX_QUEUED_FRAMES + " frames the host has not taken yet");
                }
                if (queuedBytes.addAndGet(cost(f)) > MAX_QUEUED_BYTES) {
                    throw new ProtocolException("the worker sent more than " + (MAX_QUEUED_BYTES >> 20) + " MiB the host has not taken yet");
                }
                inbox.add(f);
            }
        } catch (EOFException e) {
            reason = "the worker closed its connection";
        } catch (ProtocolException e) {
            reason = "the worker broke the protocol: " + e.getMessage();
            close(reason);
            onViolation.accept(reason);
            return;
        } catch (IOException e) {
            reason = closedReason != null ? closedReason : "the connection to the worker failed: " + e.getMessage();
        }
        close(reason);
    }

    private static long cost(Frame f) {
        return (long) f.length() + FRAME_OVERHEAD;
    }

    /** @return the protocol state this connection's frames are checked against */
    public Protocol protocol() {
        return protocol;
    }

    /** Sets what to do when the worker breaks the protocol (on the reader thread, after the connection is closed). */
    void onViolation(Consumer<String> action) {
        this.onViolation = action;
    }

    /** @return the unread frames' cost in bytes, overhead included (for tests) */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /**
     * @return the next frame, a {@link Closed} (repeated on every later call), or null when none came within {@code nanos}
     */
    public Object poll(long nanos) throws InterruptedException {
        Object o = inbox.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        if (o instanceof Frame f) {
            queuedBytes.addAndGet(-cost(f));
            queuedFrames.decrementAndGet();
        } else if (o instanceof Closed) {
            inbox.add(o);
        }
        return o;
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
            in.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            out.close();
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
