package io.poolkit.ssh.internal;

import io.poolkit.PoolClosedException;
import io.poolkit.ssh.SshException;
import io.poolkit.ssh.SshTarget;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way to a target behind a jump host (OpenSSH's ProxyJump): a {@code direct-tcpip} channel to the
 * target, held on a pooled connection to the jump host (so one jump connection serves every target
 * behind it, and shows in the jump target's stats), relayed to a one-shot loopback listener that the
 * target's SSH connection connects to — what MINA's own ProxyJump does, but on the pool's connection.
 *
 * <p>The listener accepts one connection and closes; the connection it accepted must come from the
 * port the pool's own client connected from ({@link #verify}), so a local process that raced to the
 * port is found out and the connection refused. The target's host key is checked under the target's
 * name, never the loopback address ({@link HostKeys}).
 */
final class JumpLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JumpLink.class);

    private final String name;
    private final SshTarget target;
    private final TcpipRelay.EndingChannel channel;
    private final ServerSocket listener;
    private final CompletableFuture<Socket> accepted = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile TcpipRelay relay;

    private JumpLink(String name, SshTarget target, TcpipRelay.EndingChannel channel, ServerSocket listener) {
        this.name = name;
        this.target = target;
        this.channel = channel;
        this.listener = listener;
    }

    /**
     * Opens the channel through the jump host and the loopback listener the target's connection will
     * connect to.
     *
     * @throws SshException when no jump connection came in time, or the jump host refused the channel
     */
    static JumpLink open(ChannelSource source, SshTarget target, long timeoutNanos) throws InterruptedException, IOException {
        SshTarget jump = target.jump().orElseThrow();
        long start = System.nanoTime();
        Slot hold = source.hold(jump, timeoutNanos);
        ServerSocket listener = new ServerSocket();
        TcpipRelay.EndingChannel ch;
        try {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            ch = TcpipRelay.openChannel(source.name(), jump, hold, target.host(), target.port(),
                    (InetSocketAddress) listener.getLocalSocketAddress(), Math.max(1, timeoutNanos - (System.nanoTime() - start)));
        } catch (IOException | RuntimeException | InterruptedException e) {
            listener.close();
            hold.release(); // no channel holds it (a channel that failed to open gave it back already: release is once)
            throw e;
        }
        JumpLink link = new JumpLink(source.name(), target, ch, listener);
        ch.addCloseFutureListener(f -> link.close());
        try {
            source.executor().execute(() -> link.acceptOne(source));
        } catch (RejectedExecutionException e) {
            link.close();
            throw new PoolClosedException(source.name() + " - the pool is closed");
        }
        return link;
    }

    private void acceptOne(ChannelSource source) {
        try (listener) {
            Socket s = listener.accept();
            s.setTcpNoDelay(true);
            relay = TcpipRelay.start(source, s, channel, this::close);
            accepted.complete(s);
        } catch (IOException | RuntimeException e) {
            accepted.completeExceptionally(e);
            close();
        }
    }

    /** @return where the target's SSH connection connects */
    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /**
     * Checks that the listener's one connection is the pool's own: it came from {@code clientSide}.
     *
     * @throws SshException when another local process connected first (the connection is refused)
     */
    void verify(SocketAddress clientSide, long timeoutNanos) throws InterruptedException {
        Socket s;
        try {
            s = accepted.get(Math.max(1, timeoutNanos), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw new SshException(name + " - the relay to " + target + " through its jump host accepted no connection: " + e, e);
        }
        if (!(clientSide instanceof InetSocketAddress c) || c.getPort() != s.getPort()) {
            close();
            log.warn("{} - the loopback relay to {} through its jump host was taken by another local process (from {}); refused",
                    name, target, s.getRemoteSocketAddress());
            throw new SshException(name + " - the loopback relay to " + target + " through its jump host was connected to by"
                    + " another local process; refused", null);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                listener.close();
            } catch (IOException e) {
                // closed anyway
            }
            TcpipRelay r = relay;
            if (r != null) {
                r.close();
            }
            channel.close(true);
            accepted.thenAccept(s -> {
                try {
                    s.close();
                } catch (IOException e) {
                    // closed anyway
                }
            });
        }
    }
}
