package io.poolkit.ssh.internal;

import io.poolkit.ssh.SshTarget;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.future.GlobalRequestFuture;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * One authenticated SSH connection (a MINA {@link ClientSession}) to one target: the resource of the
 * keyed pool. Thread-safe: MINA sessions are.
 */
public final class SshConnection {
    /** The global request OpenSSH answers (with "failure", which still proves the peer alive). */
    static final String KEEPALIVE = "keepalive@openssh.com";

    private final SshTarget target;
    private final ClientSession session;
    private final long id;

    SshConnection(SshTarget target, ClientSession session, long id) {
        this.target = target;
        this.session = session;
        this.id = id;
    }

    SshTarget target() {
        return target;
    }

    ClientSession session() {
        return session;
    }

    /** @return a number that grows with every connection the pool opens: higher is newer */
    long id() {
        return id;
    }

    /**
     * Whether the connection can still carry channels. The socket's own state counts too: when the
     * link drops, MINA closes the socket first (failing the writes in flight) and the SSH session
     * only after, so for a moment the session still reads open while its channels fail.
     */
    boolean isOpen() {
        IoSession io = session.getIoSession();
        return session.isOpen() && !session.isClosing() && (io == null || io.isOpen() && !io.isClosing());
    }

    /**
     * A bounded round trip: a keepalive global request with want-reply. Any answer, success or
     * failure, proves the server alive.
     *
     * @param timeout the bound
     * @return whether the server answered in time
     */
    boolean probe(Duration timeout) throws IOException, InterruptedException {
        if (!isOpen()) {
            return false;
        }
        Buffer buffer = session.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST, 32);
        buffer.putString(KEEPALIVE);
        buffer.putBoolean(true);
        GlobalRequestFuture reply = session.request(buffer, KEEPALIVE, null);
        long millis = Math.max(1, Math.min(TimeUnit.DAYS.toMillis(1), timeout.toMillis()));
        boolean answered = reply.await(millis);
        return answered && isOpen();
    }

    /** Closes gracefully (a disconnect message), bounded; then for good. */
    void close(Duration bound) {
        try {
            session.close(false).await(Math.max(1, bound.toMillis()));
        } catch (IOException e) {
            // closing anyway, below
        } finally {
            session.close(true);
        }
    }

    @Override
    public String toString() {
        return "ssh#" + id + " " + target.user() + "@" + target.host() + ":" + target.port();
    }
}
