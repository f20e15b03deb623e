package io.poolkit.session.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.ExecutionError.Kind;
import io.poolkit.session.Limits;
import io.poolkit.session.Tool;
import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.In;
import io.poolkit.session.internal.wire.Out;
import io.poolkit.session.internal.wire.Values;
import io.poolkit.testkit.Await;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host against a worker that breaks every rule: a fake worker on a real AF_UNIX socket sends
 * what a compromised worker could, and the host must end each case with an error result (killing the
 * worker where it must), never hang, allocate without bound, or trust what it was told.
 */
@Timeout(30)
class HostileWorkerTest {
    private static final Limits LIMITS = Limits.builder().maxOutputBytes(1000).maxToolCalls(3).build();

    @TempDir
    Path dir;
    private SocketChannel fake;
    private Process process;
    private WorkerProcess worker;
    private final AtomicInteger toolCalls = new AtomicInteger();

    @BeforeEach
    void connect() throws IOException {
        Path sock = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            fake = SocketChannel.open(UnixDomainSocketAddress.of(sock));
            SocketChannel host = server.accept();
            process = new ProcessBuilder("sleep", "300").start(); // stands in for the worker's process tree
            Path session = Files.createDirectory(dir.resolve("session"));
            worker = new WorkerProcess("fake", process, Connection.open(host, "fake-reader"), Tail.drain(process.getInputStream(), "fake-diag"),
                    session, "17", null);
        }
    }

    @AfterEach
    void close() throws IOException {
        fake.close();
        process.destroyForcibly();
    }

    private SessionSettings settings() {
        Tool count = Tool.of("count", "", List.of(), a -> toolCalls.incrementAndGet());
        return new SessionSettings(false, LIMITS, List.of(count), Duration.ofSeconds(5), Duration.ofMillis(200), dir, null);
    }

    private void send(byte type, Out out) throws IOException {
        Frame.write(fake, type, out);
    }

    /** Reads frames from the host until one of {@code type} comes; returns its payload. */
    private In expect(byte type) throws IOException {
        for (;;) {
            Frame f = Frame.read(fake, Frame.MAX_LENGTH);
            if (f.type() == type) {
                return f.in();
            }
        }
    }

    private static Out result(long id, int status, String value) {
        return new Out().writeLong(id).writeByte(status).writeString(value).writeString("").writeString("").writeString("").writeString("");
    }

    private RunReport run(long timeoutMillis) {
        return Execution.run(worker, settings(), 1, "code", TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    }

    /** Runs the host side on a thread while the test plays the worker. */
    private java.util.concurrent.CompletableFuture<RunReport> runAsync(long timeoutMillis) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> run(timeoutMillis));
    }

    @Test
    void wellBehavedRoundTrip() throws Exception {
        var r = runAsync(5_000);
        In exec = expect(Frame.EXECUTE);
        assertThat(exec.readLong()).isEqualTo(1);
        assertThat(exec.readString()).isEqualTo("code");
        assertThat(exec.readInt()).isEqualTo(1000);
        assertThat(exec.readInt()).isEqualTo(3);
        send(Frame.OUTPUT, new Out().writeLong(1).writeByte(1).writeString("hi"));
        send(Frame.RESULT, result(1, 0, "42"));
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isNull();
        assertThat(report.value()).isEqualTo("42");
        assertThat(report.stdout()).isEqualTo("hi");
    }

    @Test
    void oversizedFrameKillsTheWorker() throws Exception {
        var r = runAsync(5_000);
        expect(Frame.EXECUTE);
        fake.write(ByteBuffer.allocate(4).putInt(0, Integer.MAX_VALUE));
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("broke the protocol").contains("2147483647");
        Await.until(() -> !process.isAlive(), () -> "the worker's process killed");
    }

    @Test
    void frameOfAHostOnlyTypeKillsTheWorker() throws Exception {
        var r = runAsync(5_000);
        expect(Frame.EXECUTE);
        send(Frame.EXECUTE, new Out().writeLong(1));
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("may not send frames of type 10");
        assertThat(worker.isAlive()).isFalse();
    }

    @Test
    void unknownResultStatusKillsTheWorker() throws Exception {
        var r = runAsync(5_000);
        expect(Frame.EXECUTE);
        send(Frame.RESULT, result(1, 77, ""));
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("unknown result status 77");
    }

    @Test
    void stopNobodyAskedForIsAViolation() throws Exception {
        var r = runAsync(5_000);
        expect(Frame.EXECUTE);
        send(Frame.RESULT, result(1, 3, ""));
        assertThat(r.get(10, TimeUnit.SECONDS).kind()).isEqualTo(Kind.SESSION_DIED);
    }

    @Test
    void malformedPayloadKillsTheWorker() throws Exception {
        var r = runAsync(5_000);
        expect(Frame.EXECUTE);
        send(Frame.RESULT, new Out().writeLong(1).writeByte(0).writeInt(999_999));
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("string length 999999");
    }

    @Test
    void staleResultIsIgnoredAndTheRealOneCounts() throws Exception {
        var r = runAsync(5_000);
        expect(Frame.EXECUTE);
        send(Frame.RESULT, result(0, 0, "stale"));
        send(Frame.OUTPUT, new Out().writeLong(0).writeByte(1).writeString("stale output"));
        send(Frame.RESULT, result(1, 0, "fresh"));
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.value()).isEqualTo("fresh");
        assertThat(report.stdout()).isEmpty();
    }

    @Test
    void outputPastTheCapIsCutByTheHostEvenWhenTheWorkerIgnoresIt() throws Exception {
        var r = runAsync(5_000);
        expect(Frame.EXECUTE);
        for (int i = 0; i < 5; i++) {
            send(Frame.OUTPUT, new Out().writeLong(1).writeByte(2).writeString("x".repeat(400)));
        }
        In stop = expect(Frame.STOP);
        assertThat(stop.readLong()).isEqualTo(1);
        send(Frame.RESULT, result(1, 0, "pretends all is well"));
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.LIMIT);
        assertThat(report.stderr()).hasSize(1000);
        assertThat(report.value()).isEmpty();
    }

    @Test
    void silentWorkerIsStoppedThenKilled() throws Exception {
        long start = System.nanoTime();
        var r = runAsync(300);
        expect(Frame.EXECUTE);
        expect(Frame.STOP);
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(report.message()).contains("the worker was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        Await.until(() -> !process.isAlive(), () -> "killed");
    }

    @Test
    void workerThatStopsReadingCannotHangTheCaller() throws Exception {
        long start = System.nanoTime();
        // nearly a full frame of code, to a worker that never reads: the host's write blocks in the kernel
        String code = "x".repeat(Frame.MAX_LENGTH - 64);
        RunReport report = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> Execution.run(worker, settings(), 1, code, TimeUnit.MILLISECONDS.toNanos(300)))
                .get(20, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(report.message()).contains("the worker was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        Await.until(() -> !process.isAlive(), () -> "killed");
    }

    @Test
    void toolCallsAreCheckedAndLimitedByTheHost() throws Exception {
        var r = runAsync(5_000);
        expect(Frame.EXECUTE);
        Out wrongExec = new Out().writeLong(99).writeLong(1).writeString("count");
        Values.write(wrongExec, java.util.Map.of());
        send(Frame.TOOL_CALL, wrongExec);
        In refused = expect(Frame.TOOL_RESULT);
        refused.readLong();
        assertThat(refused.readLong()).isEqualTo(1);
        assertThat(refused.readBoolean()).isFalse();
        assertThat(refused.readString()).contains("no execution of this id");
        for (int call = 2; call <= 6; call++) {
            Out o = new Out().writeLong(1).writeLong(call).writeString("count");
            Values.write(o, java.util.Map.of());
            send(Frame.TOOL_CALL, o);
        }
        int ok = 0;
        int limited = 0;
        for (int i = 0; i < 5; i++) {
            In reply = expect(Frame.TOOL_RESULT);
            reply.readLong();
            reply.readLong();
            if (reply.readBoolean()) {
                ok++;
            } else if (reply.readString().contains("tool call limit reached")) {
                limited++;
            }
        }
        assertThat(ok).isEqualTo(3);
        assertThat(limited).isEqualTo(2);
        assertThat(toolCalls.get()).as("the handler ran only within the limit").isEqualTo(3);
        Out notAMap = new Out().writeLong(1).writeLong(7).writeString("count");
        Values.write(notAMap, "just a string");
        send(Frame.TOOL_CALL, notAMap);
        send(Frame.RESULT, result(1, 0, ""));
        assertThat(r.get(10, TimeUnit.SECONDS).kind()).isNull();
    }

    @Test
    void floodOfUnaskedFramesClosesTheConnection() throws Exception {
        byte[] chunk = new byte[(1 << 20) - 64];
        Out out = new Out().writeLong(5).writeByte(1).writeBytes(chunk, 0, chunk.length);
        try {
            for (int i = 0; i < 40; i++) {
                send(Frame.OUTPUT, out);
            }
        } catch (IOException closedByTheHost) {
            // expected once the host cut us off
        }
        Await.until(() -> worker.connection().closedReason() != null, () -> "connection closed");
        assertThat(worker.connection().closedReason()).contains("more than 16 MiB");
    }

    @Test
    void workerThatDisconnectsIsReportedDead() throws Exception {
        var r = runAsync(5_000);
        expect(Frame.EXECUTE);
        fake.close();
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("closed its connection");
    }
}
