package io.poolkit.ssh.internal;

import io.poolkit.ssh.SshTarget;
import io.poolkit.ssh.Tunnel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback listener whose accepted connections each ride a {@code direct-tcpip} channel held on the
 * target's newest live connection (see {@link Tunnel}). The accept loop runs on one of the pool's
 * threads; each accepted connection opens its channel on another (so a slow open never stalls the
 * loop), then two pumps join it to the socket ({@link TcpipRelay}).
 */
final class TunnelImpl implements Tunnel {
    private static final Logger log = LoggerFactory.getLogger(TunnelImpl.class);

    private final ChannelSource source;
    private final SshTarget target;
    private final String host;
    private final int port;
    private final ServerSocket listener;
    private final InetSocketAddress local;
    private final Set<Object> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong accepted = new AtomicLong();
    private final Consumer<TunnelImpl> onClose;
    /** Open until the accept loop has left the listener: only then does the JDK free the port. */
    private final CountDownLatch acceptEnded = new CountDownLatch(1);
    private volatile Thread acceptThread;

    private TunnelImpl(ChannelSource source, SshTarget target, String host, int port, ServerSocket listener,
                       Consumer<TunnelImpl> onClose) {
        this.source = source;
        this.target = target;
        this.host = host;
        this.port = port;
        this.listener = listener;
        this.local = (InetSocketAddress) listener.getLocalSocketAddress();
        this.onClose = onClose;
    }

    /**
     * Binds the listener on loopback and starts accepting.
     *
     * @param localPort the loopback port to listen on, 0 for an ephemeral one
     */
    static TunnelImpl open(ChannelSource source, SshTarget target, String host, int port, int localPort, Consumer<TunnelImpl> onClose) {
        ServerSocket listener;
        try {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(source.name() + " - cannot listen on loopback port " + localPort + " for a tunnel to "
                    + host + ":" + port + " through " + target + ": " + e.getMessage(), e);
        }
        TunnelImpl t = new TunnelImpl(source, target, host, port, listener, onClose);
        try {
            source.executor().execute(t::acceptLoop);
        } catch (RejectedExecutionException e) {
            t.acceptEnded.countDown();
            t.close();
            throw new io.poolkit.PoolClosedException(source.name() + " - the pool is closed");
        }
        log.debug("{} - tunnel {} -> {}:{} through {} open", source.name(), t.local, host, port, target);
        return t;
    }

    private void acceptLoop() {
        acceptThread = Thread.currentThread();
        try {
            accept();
        } finally {
            acceptEnded.countDown();
        }
    }

    private void accept() {
        while (!closed.get()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    log.warn("{} - tunnel {} -> {}:{} stopped accepting: {}", source.name(), local, host, port, e.toString());
                    close();
                }
                return;
            }
            if (closed.get()) {
                // accepted while the listener closed (the JDK closes it once the accept returns)
                drop(s);
                return;
            }
            accepted.incrementAndGet();
            open.add(s);
            try {
                source.executor().execute(() -> connect(s));
            } catch (RejectedExecutionException e) {
                drop(s);
            }
        }
    }

    /** Opens the channel for one accepted socket and relays it; on failure closes the socket (its client sees the connection end). */
    private void connect(Socket s) {
        try {
            s.setTcpNoDelay(true);
            Slot hold = source.hold(target, Engine.nanos(source.acquireTimeout()));
            TcpipRelay.EndingChannel ch = TcpipRelay.openChannel(source.name(), target, hold, host, port,
                    (InetSocketAddress) s.getRemoteSocketAddress(), Engine.nanos(source.acquireTimeout()));
            if (closed.get()) {
                ch.close(true);
                drop(s);
                return;
            }
            open.remove(s);
            TcpipRelay[] relay = new TcpipRelay[1];
            relay[0] = TcpipRelay.start(source, s, ch, () -> open.remove(relay[0] == null ? s : relay[0]));
            open.add(relay[0]);
            if (relay[0].isClosed()) {
                open.remove(relay[0]);
            }
            if (closed.get()) {
                relay[0].close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drop(s);
        } catch (IOException | RuntimeException e) {
            log.warn("{} - tunnel {} -> {}:{} through {}: a connection could not be forwarded: {}", source.name(), local, host, port,
                    target, e.getMessage());
            drop(s);
        }
    }

    private void drop(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // closed anyway
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public SshTarget target() {
        return target;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int connections() {
        return open.size();
    }

    @Override
    public long accepted() {
        return accepted.get();
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                listener.close();
            } catch (IOException e) {
                // closed anyway
            }
            awaitAcceptEnded();
            for (Object o : open.toArray()) {
                if (o instanceof TcpipRelay r) {
                    r.close();
                } else if (o instanceof Socket s) {
                    drop(s);
                }
            }
            onClose.accept(this);
            log.debug("{} - tunnel {} -> {}:{} through {} closed", source.name(), local, host, port, target);
        }
    }

    /**
     * Waits, briefly, for the accept loop to leave the closed listener: the JDK releases a listening
     * socket's port only then, and a caller that reopens the tunnel on the same port at once must find
     * it free.
     */
    private void awaitAcceptEnded() {
        if (Thread.currentThread() == acceptThread) {
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (!acceptEnded.await(2, TimeUnit.SECONDS)) {
                        log.debug("{} - tunnel {}: the accept loop did not end within 2 s of close", source.name(), local);
                    }
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "Tunnel[" + local.getAddress().getHostAddress() + ":" + local.getPort() + " -> " + host + ":" + port + " through "
                + target + (closed.get() ? ", closed" : ", " + connections() + " connections") + "]";
    }
}
