package io.poolkit.examples;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A client connection to {@link EchoServer}: expensive to open, cheap to use. Not thread-safe. */
public final class EchoConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private EchoConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    /** Connects and waits for the server's greeting (the handshake). */
    public static EchoConnection open(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            s.setSoTimeout(5000);
            EchoConnection c = new EchoConnection(s);
            String hello = c.in.readUTF();
            if (!hello.equals("hello")) {
                throw new IOException("unexpected greeting " + hello);
            }
            return c;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Sends a line and returns the echo. */
    public String call(String line) throws IOException {
        out.writeUTF(line);
        out.flush();
        return in.readUTF();
    }

    public boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public String toString() {
        return "EchoConnection[" + socket.getLocalPort() + "->" + socket.getPort() + "]";
    }
}
