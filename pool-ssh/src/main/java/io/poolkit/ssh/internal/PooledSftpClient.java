package io.poolkit.ssh.internal;

import java.io.IOException;
import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.session.ClientSession;
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
        final Dispatcher.Slot slot;
        volatile Hooked channel;

        Opening(Dispatcher.Slot slot) {
            this.slot = slot;
        }
    }

    /**
     * Opens an SFTP channel on {@code slot}; the slot is released when the channel closes, whatever happens.
     *
     * @throws IOException when the channel could not be opened or SFTP not started; {@link #refused} says
     *     whether the server refused the channel (then it never opened: the caller may try elsewhere)
     */
    static PooledSftpClient open(Dispatcher.Slot slot) throws IOException {
        Opening opening = new Opening(slot);
        OPENING.set(opening);
        try {
            return new PooledSftpClient(slot.connection().session());
        } catch (IOException | RuntimeException e) {
            Hooked ch = opening.channel;
            if (ch == null) {
                slot.broken();
            } else {
                ch.close(true);
                if (ch.refused) {
                    throw new RefusedException(e);
                }
            }
            throw e;
        } finally {
            OPENING.remove();
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
        private final Dispatcher.Slot slot;
        private volatile boolean refused;

        Hooked(Dispatcher.Slot slot) {
            this.slot = slot;
        }

        @Override
        protected void doOpen() throws IOException {
            // MINA's I/O thread, as the server confirms the channel
            slot.confirmed();
            super.doOpen();
        }

        @Override
        public void handleOpenFailure(Buffer buffer) {
            refused = true;
            super.handleOpenFailure(buffer);
        }

        void closed() {
            if (refused) {
                slot.refused();
            } else if (!slot.connection().isOpen()) {
                slot.broken();
            } else {
                slot.release();
            }
        }
    }
}
