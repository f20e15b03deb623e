package io.poolkit.jdbc.testing;

import io.poolkit.testkit.Threads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP proxy on 127.0.0.1 between the pool and the database, for faults injected for real:
 * <ul>
 * <li>{@link #stall()}: bytes stop flowing both ways (nothing is closed, nothing is answered: a
 *     black-holed path), and new connections are accepted but not connected onwards;
 * <li>{@link #heal()}: traffic flows again, held bytes included;
 * <li>{@link #reset()}: every connection through it is reset now (RST to the client);
 * <li>{@link #connectDelay}: each new connection waits before it is connected onwards (a slow connect).
 * </ul>
 * Its threads are its own; {@link #close()} ends them and fails if one is still running.
 */
public final class TcpProxy implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition flowing = lock.newCondition();
    private volatile boolean stalled;
    private volatile boolean closed;
    private volatile long connectDelayNanos;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        start("tcp-proxy-accept", this::acceptLoop);
    }

    /** @return the port to connect to instead of the target's */
    public int port() {
        return server.getLocalPort();
    }

    /** @return connections accepted so far */
    public int accepted() {
        return accepted.get();
    }

    public void stall() {
        stalled = true;
    }

    public void heal() {
        lock.lock();
        try {
            stalled = false;
            flowing.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Resets every connection open through the proxy. */
    public void reset() {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException ignored) {
                // already closed
            }
            closeQuietly(s);
        }
        sockets.clear();
    }

    public void connectDelay(Duration delay) {
        connectDelayNanos = delay.toNanos();
    }

    private void start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            int n = accepted.incrementAndGet();
            sockets.add(client);
            start("tcp-proxy-connect-" + n, () -> connect(client, n));
        }
    }

    private void connect(Socket client, int n) {
        try {
            long delay = connectDelayNanos;
            if (delay > 0) {
                lock.lock();
                try {
                    long left = delay;
                    while (left > 0 && !closed) {
                        left = flowing.awaitNanos(left);
                    }
                } finally {
                    lock.unlock();
                }
            }
            awaitFlowing();
            if (closed || client.isClosed()) {
                closeQuietly(client);
                return;
            }
            Socket upstream = new Socket();
            sockets.add(upstream);
            upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
            start("tcp-proxy-up-" + n, () -> pump(client, upstream));
            pump(upstream, client);
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private void awaitFlowing() throws InterruptedException {
        if (!stalled) {
            return;
        }
        lock.lock();
        try {
            while (stalled && !closed) {
                flowing.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (;;) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                awaitFlowing();
                if (closed) {
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the other side went away, or the proxy reset it
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Closes everything and checks that every thread of the proxy ended. */
    @Override
    public void close() throws IOException, InterruptedException {
        closed = true;
        heal();
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        List<Thread> alive = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                alive.add(t);
            }
        }
        if (!alive.isEmpty()) {
            Threads.dumpThreads();
            throw new AssertionError("tcp proxy threads still running after close: " + alive);
        }
    }
}
