package io.poolkit.session.internal;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.In;
import io.poolkit.session.internal.wire.Out;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one scripted fake worker: the host's side is real ({@link WorkerProcess}, {@link Connection},
 * {@link Protocol}, {@link Execution}), the worker's is this script, on a real AF_UNIX socket. It
 * speaks the frames of any worker (nothing here is Java-specific), and misbehaves on cue: forged,
 * early, repeated or foreign results, floods of tiny frames, frames while idle, last words on its
 * own stdout, an exit with a chosen status.
 *
 * <p>A stand-in process plays the worker's process tree: a shell that echoes what {@link #say}
 * gives it (the worker's own stdout, kept by the host as diagnostics) and exits with the status
 * {@link #exit} gives it.
 */
final class FakeWorker implements AutoCloseable {
    private final SocketChannel socket;
    private final Process process;
    private final OutputStream control;
    private final WorkerProcess worker;

    /**
     * @param dir a private directory for the socket and the session directory
     * @param outOfMemoryExit the exit status the host is told means "out of memory" (3 for a JVM, -1 for none)
     */
    FakeWorker(Path dir, int outOfMemoryExit) throws IOException, InterruptedException {
        Path sock = dir.resolve("fake.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            socket = SocketChannel.open(UnixDomainSocketAddress.of(sock));
            SocketChannel host = server.accept();
            process = new ProcessBuilder("sh", "-c", "while read -r cmd arg; do case $cmd in say) echo \"$arg\";; exit) exit \"$arg\";; esac;"
                    + " done; sleep 300").redirectErrorStream(true).start();
            control = process.getOutputStream();
            Path session = Files.createDirectories(dir.resolve("session"));
            Connection c = Connection.open(host, "fake-reader");
            worker = new WorkerProcess("fake", process, c, Tail.drain(process.getInputStream(), "fake-diagnostics"), session, "fake", null,
                    outOfMemoryExit);
        }
        send(Frame.HELLO, new Out().writeString("token").writeInt(Frame.PROTOCOL_VERSION).writeString("fake").writeLong(1));
        Protocol.Hello.decode(((Frame) worker.connection().poll(5_000_000_000L)).in());
    }

    /** @return the host's view of this worker */
    WorkerProcess worker() {
        return worker;
    }

    /** @return the stand-in process */
    Process process() {
        return process;
    }

    void send(byte type, Out payload) throws IOException {
        Frame.write(socket, type, payload);
    }

    /** Writes raw bytes, for frames no honest writer would make. */
    void sendRaw(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            socket.write(bytes);
        }
    }

    /** Reads frames from the host until one of {@code type} comes; @return its payload */
    In expect(byte type) throws IOException {
        for (;;) {
            Frame f = Frame.read(socket, Frame.MAX_LENGTH);
            if (f.type() == type) {
                return f.in();
            }
        }
    }

    /** @return the id of the next EXECUTE the host sends */
    long expectExecute() throws IOException {
        return expect(Frame.EXECUTE).readLong();
    }

    static Out result(long id, int status, String value) {
        return new Out().writeLong(id).writeByte(status).writeString(value).writeString("").writeString("").writeString("").writeString("");
    }

    static Out output(long id, int stream, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new Out().writeLong(id).writeByte(stream).writeBytes(b, 0, b.length);
    }

    void sendResult(long id, int status, String value) throws IOException {
        send(Frame.RESULT, result(id, status, value));
    }

    /** The worker's own stdout: what a JVM prints there (an out-of-memory notice, say), kept by the host as diagnostics only. */
    void say(String line) throws IOException {
        control.write(("say " + line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
        control.flush();
    }

    /** Closes the socket and ends the stand-in process with {@code status}, as a worker that halts. */
    void exit(int status) throws IOException {
        socket.close();
        control.write(("exit " + status + "\n").getBytes(StandardCharsets.UTF_8));
        control.flush();
    }

    /** Closes the socket and nothing else: a worker that hangs up but lives on. */
    void disconnect() throws IOException {
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        process.destroyForcibly();
    }
}
