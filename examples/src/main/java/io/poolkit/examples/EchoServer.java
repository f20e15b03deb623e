package io.poolkit.examples;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny line-echo server on 127.0.0.1 that makes every new connection pay a handshake, like a real
 * backend (TLS, authentication): the cost a pool saves.
 */
public final class EchoServer implements AutoCloseable {
    private final ServerSocket server;
    private final int handshakeMillis;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    public EchoServer(int handshakeMillis) throws IOException {
        this.handshakeMillis = handshakeMillis;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "echo-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** @return connections accepted so far */
    public int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "echo-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream());
             DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
            s.setTcpNoDelay(true);
            Thread.sleep(handshakeMillis); // the backend's per-connection set-up cost
            out.writeUTF("hello");
            out.flush();
            for (;;) {
                String line = in.readUTF();
                out.writeUTF(line);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
