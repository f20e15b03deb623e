package io.poolkit.ssh.internal;

import io.poolkit.ssh.SshException;
import io.poolkit.ssh.SshTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local socket joined to one {@code direct-tcpip} channel on a held connection: two pumps on the
 * pool's executor, one each way, each blocking on its own side only (the channel's piped input opens
 * MINA's window as it is read, so a slow local reader slows the remote side instead of blocking MINA's
 * I/O threads).
 *
 * <p>How it ends, so that no byte is lost at either end: each side's end of output reaches the other
 * as a half-close (the socket's end of input as the channel's EOF; the channel's EOF, once what came
 * before it is written, as the socket's {@code shutdownOutput}), and the other direction goes on. A
 * channel that closes is drained first: what it received is written to the socket before the socket
 * closes. A channel that closes without the remote's EOF (its SSH connection was lost) resets the
 * socket instead, so the client cannot take a cut stream for a complete one. A local failure (the
 * client reset, or stopped reading and went away) closes both at once, the channel once what it holds
 * is discarded (its window given back: see {@code giveTheWindowBack}, and the
 * window of what arrives after its CLOSE, see {@code EndingChannel}). The hold is given back when
 * the channel closes: when the server answers our CLOSE, or, if it does not within {@code killGrace}
 * (a frozen server), when the channel is closed on this side alone ({@link #boundTheClose}).
 */
final class TcpipRelay {
    private static final Logger log = LoggerFactory.getLogger(TcpipRelay.class);
    private static final int CHUNK = 32 * 1024;
    /** At most this much is discarded to give the remote its window back before the channel closes (the window is 2 MiB). */
    private static final long DISCARD_LIMIT = 8L << 20;

    private final String name;
    private final Socket socket;
    private final EndingChannel channel;
    private final ChannelSource source;
    private final AtomicInteger pumping = new AtomicInteger(2);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set once the remote-to-local pump has written all the channel gave it (or failed). */
    private volatile boolean drained;
    private final Runnable onClose;

    private TcpipRelay(ChannelSource source, Socket socket, EndingChannel channel, Runnable onClose) {
        this.name = source.name();
        this.source = source;
        this.socket = socket;
        this.channel = channel;
        this.onClose = onClose;
    }

    /**
     * Opens a direct-tcpip channel to {@code host:port} on {@code hold}'s connection; the hold is given
     * back when the channel closes (also when it fails to open).
     *
     * @throws SshException when the server refused (forwarding off, destination unreachable) or did not answer in time
     */
    static EndingChannel openChannel(String name, SshTarget via, Slot hold, String host, int port,
                                     InetSocketAddress origin, long timeoutNanos) throws InterruptedException {
        SshdSocketAddress from = new SshdSocketAddress(origin.getHostString(), origin.getPort());
        EndingChannel ch = new EndingChannel(from, new SshdSocketAddress(host, port), hold);
        try {
            hold.connection().session().getService(ConnectionService.class).registerChannel(ch);
        } catch (IOException | RuntimeException e) {
            hold.broken();
            throw new SshException(name + " - cannot open a channel to " + host + ":" + port + " through " + via + ": " + e, e);
        }
        ch.addCloseFutureListener(f -> {
            if (hold.connection().isOpen()) {
                hold.release();
            } else {
                hold.broken();
            }
        });
        try {
            OpenFuture opening = ch.open();
            if (!opening.await(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)))) {
                String what = "did not confirm a direct-tcpip channel to " + host + ":" + port + " within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms";
                // OpenSSH confirms only once it reached the destination: a slow destination looks the same as a
                // frozen server, so the connection is checked but stays in service (before the close gives the hold back)
                hold.probe(what);
                ch.close(true);
                throw new SshException(name + " - " + via + " " + what + " (the destination may be slow to accept, or the"
                        + " server frozen: " + hold.connection() + " is checked with a keepalive)", null);
            }
            if (!opening.isOpened()) {
                Throwable cause = opening.getException();
                ch.close(true);
                String why = cause instanceof SshChannelOpenException r ? r.getMessage() + " (reason code " + r.getReasonCode() + ")"
                        : String.valueOf(cause);
                throw new SshException(name + " - " + via + " refused a channel to " + host + ":" + port + ": " + why
                        + "; check that its sshd allows TCP forwarding (AllowTcpForwarding) and can reach " + host + ":" + port, cause);
            }
            return ch;
        } catch (InterruptedIOException e) {
            ch.close(true);
            InterruptedException x = new InterruptedException("interrupted while opening a channel to " + host + ":" + port + " through " + via);
            x.initCause(e);
            throw x;
        } catch (IOException e) {
            ch.close(true);
            throw new SshException(name + " - cannot open a channel to " + host + ":" + port + " through " + via + ": " + e, e);
        }
    }

    /**
     * Joins {@code socket} and {@code channel} until both directions ended (see the class notes).
     *
     * @param source the pool's name, executor (for the pumps) and {@code killGrace} (the wait for an answer to our CLOSE)
     * @param onClose runs once when both are closed
     */
    static TcpipRelay start(ChannelSource source, Socket socket, EndingChannel channel, Runnable onClose) {
        TcpipRelay r = new TcpipRelay(source, socket, channel, onClose);
        channel.addCloseFutureListener(f -> r.channelClosed());
        try {
            source.executor().execute(r::toChannel);
            source.executor().execute(r::toSocket);
        } catch (RejectedExecutionException e) {
            r.close(false);
        }
        return r;
    }

    private void toChannel() {
        byte[] buffer = new byte[CHUNK];
        try {
            OutputStream out = channel.getInvertedIn();
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            out.close(); // sends the channel's EOF: the far side sees the local half-close
        } catch (IOException e) {
            if (channel.isClosing()) {
                // the channel ended under a write: nothing more goes that way, and the other pump
                // still writes to the socket what the channel received before it closes the socket
                log.debug("{} - relay local to remote on {} ended with its channel: {}", name, channel, e.toString());
            } else {
                failed("local to remote", e);
            }
        } finally {
            pumped();
        }
    }

    private void toSocket() {
        byte[] buffer = new byte[CHUNK];
        try {
            InputStream in = channel.getInvertedOut();
            OutputStream out = socket.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            if (!channel.isEofSignalled() && !closed.get()) {
                // the channel closed without the remote's end of output: its connection was lost
                log.debug("{} - relay on {}: the channel closed before the remote's EOF; resetting the local connection", name,
                        channel);
                close(true);
            } else if (!socket.isClosed()) {
                socket.shutdownOutput();
            }
        } catch (IOException e) {
            failed("remote to local", e);
        } finally {
            drained = true;
            if (channel.isClosing()) {
                close(false); // nothing more can come from the channel nor go to it
            }
            pumped();
        }
    }

    /** The channel's close: when its input was drained to the socket already, the relay ends now; else once it is. */
    private void channelClosed() {
        if (drained) {
            close(false);
        }
    }

    private void failed(String direction, IOException e) {
        if (!closed.get()) {
            log.debug("{} - relay {} on {}: {}", name, direction, channel, e.toString());
            close(false);
        }
    }

    private void pumped() {
        if (pumping.decrementAndGet() == 0) {
            close(false);
        }
    }

    /** Closes the socket and the channel; idempotent. */
    void close() {
        close(false);
    }

    /** @param reset whether the socket is reset (its client sees the stream was cut) rather than closed */
    private void close(boolean reset) {
        if (closed.compareAndSet(false, true)) {
            try {
                if (reset) {
                    socket.setSoLinger(true, 0);
                }
                socket.close();
            } catch (IOException e) {
                // closed anyway
            }
            giveTheWindowBack();
            channel.close(false);
            boundTheClose();
            onClose.run();
        }
    }

    /**
     * Our CLOSE waits for the server's (MINA gives the channel, and with it the hold on its connection, back
     * only then), for {@code killGrace} at most: a server that does not answer in that time (frozen, or its
     * network gone) would keep the connection's lease, and the pool's accounting, until the pool shuts down.
     * Then the connection is suspected (checked with a keepalive, as after an unanswered {@code signal}) and
     * the channel closed on this side alone; a CLOSE that still comes later is ignored as one for an unknown
     * channel.
     */
    private void boundTheClose() {
        if (channel.isClosed()) {
            return;
        }
        long millis = Math.max(1, source.killGrace().toMillis());
        CompletableFuture<Void> answered = new CompletableFuture<>();
        channel.addCloseFutureListener(f -> answered.complete(null));
        answered.orTimeout(millis, TimeUnit.MILLISECONDS).whenCompleteAsync((v, timedOut) -> {
            if (timedOut != null && !channel.isClosed() && !channel.hold.isDone()) {
                log.warn("{} - {} did not answer the CLOSE of forwarded channel {} within {} ms; closing it on this side",
                        name, channel.hold.connection(), channel, millis);
                channel.hold.closeUnanswered("did not answer a forwarded channel's CLOSE within " + millis + " ms");
                channel.close(true);
            }
        }, source.executor());
    }

    /**
     * Discards what the channel received and nobody will write now, so that the remote has its window
     * back before our CLOSE reaches it. A closing MINA channel ignores what still arrives and opens no
     * more window, and MINA's sshd answers CLOSE only once the write it has pending is sent: with the
     * window full (the local client stopped reading, then went away) neither side would ever close, the
     * destination's connection would stay open and the hold would never come back. What arrives after
     * the CLOSE is given back by {@link EndingChannel}.
     */
    private void giveTheWindowBack() {
        if (channel.isClosing()) {
            return; // closed by the remote or the connection: no CLOSE of ours to answer
        }
        try {
            InputStream in = channel.getInvertedOut();
            byte[] sink = new byte[CHUNK];
            long discarded = 0;
            int n;
            while (discarded < DISCARD_LIMIT && in.available() > 0 && (n = in.read(sink)) > 0) {
                discarded += n;
            }
            if (discarded > 0) {
                log.debug("{} - relay on {}: discarded {} bytes the local side will not read", name, channel, discarded);
            }
        } catch (IOException e) {
            // the channel closed meanwhile: its window no longer matters
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    /**
     * A {@code direct-tcpip} channel whose piped input ends at the remote's EOF. MINA's client channels
     * end it only when the channel closes, and OpenSSH closes a forwarding channel only once both
     * directions ended: a destination's half-close would never reach the local client, which waits for
     * it before it ends its own direction. EOF comes after the data before it, on the session's one
     * reading thread, so ending the pipe there keeps every byte.
     */
    static final class EndingChannel extends ChannelDirectTcpip {
        /** What the channel holds on its connection, given back when it closes. */
        final Slot hold;

        EndingChannel(SshdSocketAddress local, SshdSocketAddress remote, Slot hold) {
            super(local, remote);
            this.hold = hold;
        }

        @Override
        public void handleEof() throws IOException {
            super.handleEof();
            OutputStream pipe = out;
            if (pipe != null) {
                pipe.close();
            }
        }

        /**
         * Data that arrives after our CLOSE, while the remote has not answered it yet: MINA drops it
         * and, its window closed, would not give it back; its window goes back to the remote here, so
         * that a MINA sshd can finish the write it waits to send before it answers (see
         * {@code giveTheWindowBack} for what the channel held when it closed).
         */
        @Override
        protected void doWriteData(byte[] data, int off, long len) throws IOException {
            if (isClosing() && !isClosed() && len > 0) {
                Session s = getSession();
                Buffer adjust = s.createBuffer(SshConstants.SSH_MSG_CHANNEL_WINDOW_ADJUST, Long.BYTES);
                adjust.putUInt(getRecipient());
                adjust.putUInt(len);
                try {
                    s.writePacket(adjust);
                } catch (IOException e) {
                    log.debug("{}: no window adjust after close, the connection is closing: {}", this, e.toString());
                }
                return;
            }
            super.doWriteData(data, off, len);
        }
    }
}
