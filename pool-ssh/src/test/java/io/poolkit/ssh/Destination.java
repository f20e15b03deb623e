package io.poolkit.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tunnel's destination for tests: a loopback TCP service that runs one {@link Handler} per accepted
 * connection on a daemon thread of its own, then closes the connection. What a handler threw is kept
 * ({@link #failures()}); close the service to close its listener and every connection.
 */
final class Destination implements AutoCloseable {

    /** What the service does with one connection. */
    @FunctionalInterface
    interface Handler {
        void handle(Socket s) throws Exception;
    }

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private Destination(ServerSocket server) {
        this.server = server;
    }

    static Destination start(Handler handler) throws IOException {
        Destination d = new Destination(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread accept = new Thread(() -> d.acceptLoop(handler), "destination-accept");
        accept.setDaemon(true);
        accept.start();
        return d;
    }

    /** Echoes each byte back upper-cased, flushing at each newline, until the client's end of input. */
    static Destination upperCaseEcho() throws IOException {
        return start(s -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                out.write(Character.toUpperCase(b));
                if (b == '\n') {
                    out.flush();
                }
            }
        });
    }

    private void acceptLoop(Handler handler) {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(s);
            Thread t = new Thread(() -> {
                try (s) {
                    handler.handle(s);
                } catch (Exception e) {
                    failures.add(e);
                }
            }, "destination-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** @return what the handlers threw so far */
    List<Throwable> failures() {
        return failures;
    }

    /** @return {@code n} pseudo-random bytes, the same for the same {@code n} */
    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
