package io.poolkit.ssh.internal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.client.SftpErrorDataHandler;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.impl.DefaultSftpClient;

/**
 * MINA's SFTP client on a dispatcher slot: its channel confirms the slot on MINA's I/O thread when the
 * server opens it, and gives the permit back when it closes — refused (the server's MaxSessions:
 * fewer permits on that connection, and the caller tries another), broken (the connection is gone) or
 * released. MINA's constructor opens the channel, so the slot reaches the channel through a
 * thread-local set around the constructor.
 */
final class PooledSftpClient extends DefaultSftpClient {
    private static final ThreadLocal<Opening> OPENING = new ThreadLocal<>();

    /** The slot a channel is being opened on, and the channel once made (to close it when the open fails). */
    private static final class Opening {
        final Slot slot;
        volatile Hooked channel;

        /** Set when the caller's bound passed before the client was made. */
        volatile boolean expired;

        Opening(Slot slot) {
            this.slot = slot;
        }
    }

    /**
     * Opens an SFTP channel on {@code slot}; the slot is released when the channel closes, whatever happens.
     *
     * @throws IOException when the channel could not be opened or SFTP not started; {@link #refused} says
     *     whether the server refused the channel (then it never opened: the caller may try elsewhere)
     */
    static PooledSftpClient open(Slot slot, long timeoutNanos, Executor executor) throws IOException {
        Opening opening = new Opening(slot);
        OPENING.set(opening);
        // MINA bounds the channel's open and SFTP's version exchange by its own 15 s: the caller's bound goes first
        AtomicBoolean settled = new AtomicBoolean();
        if (timeoutNanos < TimeUnit.DAYS.toNanos(365)) {
            CompletableFuture.delayedExecutor(Math.max(1, timeoutNanos), TimeUnit.NANOSECONDS, executor).execute(() -> {
                if (settled.compareAndSet(false, true)) {
                    opening.expired = true;
                    Hooked ch = opening.channel;
                    if (ch != null) {
                        ch.expire(TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                    }
                }
            });
        }
        try {
            PooledSftpClient client = new PooledSftpClient(slot.connection().session());
            if (!settled.compareAndSet(false, true)) {
                client.getClientChannel().close(true);
                throw new StartTimeoutException(null);
            }
            return client;
        } catch (IOException | RuntimeException e) {
            settled.set(true);
            Hooked ch = opening.channel;
            if (ch == null) {
                slot.broken();
            } else {
                ch.close(true);
                if (ch.refused) {
                    throw new RefusedException(e);
                }
            }
            if (opening.expired && !(e instanceof StartTimeoutException)) {
                throw new StartTimeoutException(e);
            }
            throw e;
        } finally {
            OPENING.remove();
        }
    }

    /** The channel did not open, or SFTP did not start on it, within the caller's bound. */
    static final class StartTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        StartTimeoutException(Throwable cause) {
            super("the server did not start SFTP in time", cause);
        }
    }

    /** The server refused the channel: it never opened, nothing was sent on it. */
    static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedException(Throwable cause) {
            super("the server refused the SFTP channel", cause);
        }
    }

    private PooledSftpClient(ClientSession session) throws IOException {
        super(session, SftpVersionSelector.CURRENT, SftpErrorDataHandler.EMPTY);
    }

    /**
     * Waits until the channel has closed and its permit is back with the dispatcher (MINA's close only
     * starts the exchange of close messages), so the caller's next channel finds the permit free.
     *
     * @return whether it was back within {@code nanos}
     */
    boolean awaitReleased(long nanos) {
        if (!(getClientChannel() instanceof Hooked h)) {
            return true;
        }
        boolean interrupted = false;
        try {
            long deadline = System.nanoTime() + nanos;
            for (;;) {
                try {
                    h.released.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    return true;
                } catch (InterruptedException e) {
                    interrupted = true; // a close finishes its short wait; the caller sees the flag
                } catch (ExecutionException | TimeoutException e) {
                    return false;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    protected ChannelSubsystem createSftpChannelSubsystem(ClientSession session) {
        Opening opening = OPENING.get();
        Hooked ch = new Hooked(opening.slot);
        opening.channel = ch;
        ch.addCloseFutureListener(f -> ch.closed());
        return ch;
    }

    /** MINA's SFTP channel, telling the slot what became of it. */
    private final class Hooked extends SftpChannelSubsystem {
        private final Slot slot;
        private volatile boolean refused;
        /** Completes once the slot was told how the channel ended. */
        final CompletableFuture<Void> released = new CompletableFuture<>();

        Hooked(Slot slot) {
            this.slot = slot;
        }

        @Override
        protected void doOpen() throws IOException {
            // MINA's I/O thread, as the server confirms the channel
            slot.confirmed();
            super.doOpen();
        }

        /** The caller's bound passed: whatever waits for the open or for SFTP's version fails now. */
        void expire(long boundMillis) {
            OpenFuture f = openFuture;
            if (f != null && !f.isDone()) {
                // the server did not confirm the channel in time: check the connection (before the close frees the permit)
                slot.suspect("did not confirm an SFTP channel within " + boundMillis + " ms");
                f.setException(new SshException("the SFTP channel did not open in time"));
            }
            close(true);
        }

        @Override
        public void handleOpenFailure(Buffer buffer) {
            refused = true;
            super.handleOpenFailure(buffer);
        }

        void closed() {
            try {
                if (refused) {
                    slot.refused();
                } else if (!slot.connection().isOpen()) {
                    slot.broken();
                } else {
                    slot.release();
                }
            } finally {
                released.complete(null);
            }
        }
    }
}
