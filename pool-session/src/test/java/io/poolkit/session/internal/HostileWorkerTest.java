package io.poolkit.session.internal;

import static io.poolkit.session.internal.FakeWorker.output;
import static io.poolkit.session.internal.FakeWorker.result;
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
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host against a worker that breaks every rule (DESIGN "Two trust boundaries", 2): the
 * {@link FakeWorker} sends what a compromised worker could, and the host must end each case with a
 * true result or kill and replace the worker, never hang, hold memory for it, or believe what it
 * was told. Several cases are issue 13's: a flood of tiny frames after the result, a second or an
 * early RESULT, another execution's frames, an out-of-memory notice printed before a halt.
 */
@Timeout(30)
class HostileWorkerTest {
    private static final Limits LIMITS = Limits.builder().maxOutputBytes(1000).maxToolCalls(3).build();

    @TempDir
    Path dir;
    private FakeWorker fake;
    private WorkerProcess worker;
    private final AtomicInteger toolCalls = new AtomicInteger();
    private long nextId = 1;

    @BeforeEach
    void connect() throws IOException, InterruptedException {
        fake = new FakeWorker(dir, Launcher.JVM_OUT_OF_MEMORY_EXIT);
        worker = fake.worker();
    }

    @AfterEach
    void close() throws IOException {
        fake.close();
    }

    private SessionSettings settings() {
        Tool count = Tool.of("count", "", List.of(), a -> toolCalls.incrementAndGet());
        return new SessionSettings(false, LIMITS, List.of(count), Duration.ofSeconds(5), Duration.ofMillis(200), dir, null);
    }

    /** Runs the host side of the next execution on a thread while the test plays the worker. */
    private CompletableFuture<RunReport> runAsync(long timeoutMillis) {
        long id = nextId++;
        return CompletableFuture.supplyAsync(() -> Execution.run(worker, settings(), id, "code", TimeUnit.MILLISECONDS.toNanos(timeoutMillis)));
    }

    private void assertKilledFor(String violation) {
        Await.until(() -> !fake.process().isAlive(), () -> "the worker's process killed");
        assertThat(worker.isAlive()).isFalse();
        assertThat(worker.deathReason()).contains("broke the protocol").contains(violation);
    }

    @Test
    void wellBehavedRoundTrip() throws Exception {
        var r = runAsync(5_000);
        In exec = fake.expect(Frame.EXECUTE);
        assertThat(exec.readLong()).isEqualTo(1);
        assertThat(exec.readString()).isEqualTo("code");
        assertThat(exec.readInt()).isEqualTo(1000);
        assertThat(exec.readInt()).isEqualTo(3);
        fake.send(Frame.OUTPUT, output(1, 1, "hi"));
        fake.sendResult(1, 0, "42");
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isNull();
        assertThat(report.value()).isEqualTo("42");
        assertThat(report.stdout()).isEqualTo("hi");
        var second = runAsync(5_000);
        assertThat(fake.expectExecute()).isEqualTo(2);
        fake.sendResult(2, 0, "43");
        assertThat(second.get(10, TimeUnit.SECONDS).value()).as("the session goes on").isEqualTo("43");
    }

    /** Issue 13: ~16 million 5-byte frames after the result made an idle host hold ~1 GiB. Now the first one ends the worker. */
    @Test
    void aFloodOfTinyFramesWhileIdleEndsTheWorkerAtTheFirstFrame() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.sendResult(1, 0, "done");
        assertThat(r.get(10, TimeUnit.SECONDS).value()).isEqualTo("done");
        ByteBuffer tiny = ByteBuffer.allocate(5 * 10_000);
        for (int i = 0; i < 10_000; i++) {
            tiny.putInt(1).put(Frame.OUTPUT);
        }
        tiny.flip();
        try {
            fake.sendRaw(tiny);
        } catch (IOException cutOff) {
            // the host closed the connection mid-flood
        }
        assertKilledFor("while no execution was running");
        assertThat(worker.connection().queuedBytes()).as("nothing of the flood was kept").isZero();
    }

    @Test
    void anyFrameWhileIdleEndsTheWorker() throws Exception {
        fake.sendResult(7, 0, "forged, nobody asked");
        assertKilledFor("type 4");
        RunReport next = runAsync(5_000).get(10, TimeUnit.SECONDS);
        assertThat(next.kind()).as("the next caller is told the truth, never the forged value").isEqualTo(Kind.SESSION_DIED);
        assertThat(next.value()).isEmpty();
    }

    /** A RESULT followed by more of the same execution: its evaluation had not ended. The worker is not used again. */
    @Test
    void aResultBeforeTheEvaluationEndedEndsTheWorker() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.sendResult(1, 0, "early");
        fake.send(Frame.OUTPUT, output(1, 1, "still running"));
        r.get(10, TimeUnit.SECONDS);
        assertKilledFor("while no execution was running");
        assertThat(runAsync(5_000).get(10, TimeUnit.SECONDS).kind()).isEqualTo(Kind.SESSION_DIED);
    }

    @Test
    void aSecondResultEndsTheWorker() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.sendResult(1, 0, "first");
        fake.sendResult(1, 0, "second");
        assertThat(r.get(10, TimeUnit.SECONDS).value()).isEqualTo("first");
        assertKilledFor("while no execution was running");
    }

    @Test
    void anotherExecutionsFrameEndsTheWorker() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.send(Frame.OUTPUT, output(0, 1, "stale output"));
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("broke the protocol").contains("for execution 0 while 1 runs");
        assertThat(report.stdout()).isEmpty();
        assertKilledFor("for execution 0");
    }

    @Test
    void aFloodOfTinyFramesDuringAnExecutionIsCutAtTheFrameBudget() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        try {
            for (int i = 0; i < 1_000; i++) {
                fake.send(Frame.OUTPUT, output(1, 1, "x"));
            }
        } catch (IOException cutOff) {
            // closed by the host
        }
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("OUTPUT frames");
        assertThat(report.stdout().length()).isLessThanOrEqualTo(Protocol.FREE_OUTPUT_FRAMES + 1);
    }

    @Test
    void unreadFramesAreChargedTheirRealCostAndCapped() throws Exception {
        worker.connection().protocol().begin(1, Integer.MAX_VALUE - 1, 0); // nobody takes the frames: a stalled caller
        try {
            for (int i = 0; i < Connection.MAX_QUEUED_FRAMES + 10; i++) {
                fake.send(Frame.OUTPUT, output(1, 1, "y".repeat(300)));
            }
        } catch (IOException cutOff) {
            // closed by the host
        }
        assertKilledFor("frames the host has not taken yet");
    }

    @Test
    void emptyOutputAndOutputPastTheLimitAreViolations() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.send(Frame.OUTPUT, new Out().writeLong(1).writeByte(1).writeInt(0));
        assertThat(r.get(10, TimeUnit.SECONDS).message()).contains("at least one byte");
    }

    @Test
    void outputPastTheCapIsCutByTheHostAndIsALimit() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        for (int i = 0; i < 2; i++) {
            fake.send(Frame.OUTPUT, output(1, 2, "x".repeat(400)));
        }
        fake.send(Frame.OUTPUT, output(1, 2, "x".repeat(201))); // 1001 bytes: the one past the limit shows it was hit
        In stop = fake.expect(Frame.STOP);
        assertThat(stop.readLong()).isEqualTo(1);
        fake.sendResult(1, 0, "pretends all is well");
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.LIMIT);
        assertThat(report.stderr()).hasSize(1000);
        assertThat(report.value()).isEmpty();
    }

    @Test
    void moreOutputThanTheWorkerMaySendIsAViolation() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.send(Frame.OUTPUT, output(1, 1, "z".repeat(1002)));
        assertThat(r.get(10, TimeUnit.SECONDS).message()).contains("1002 bytes of output");
    }

    @Test
    void oversizedFrameKillsTheWorker() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.sendRaw(ByteBuffer.allocate(4).putInt(0, Integer.MAX_VALUE));
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("broke the protocol").contains("2147483647");
        Await.until(() -> !fake.process().isAlive(), () -> "the worker's process killed");
    }

    @Test
    void frameOfAHostOnlyTypeKillsTheWorker() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.send(Frame.EXECUTE, new Out().writeLong(1));
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("may not send frames of type 10");
        assertThat(worker.isAlive()).isFalse();
    }

    @Test
    void unknownResultStatusKillsTheWorker() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.sendResult(1, 77, "");
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("unknown result status 77");
    }

    @Test
    void aStopNobodyAskedForIsAViolation() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.sendResult(1, 3, "");
        assertThat(r.get(10, TimeUnit.SECONDS).kind()).isEqualTo(Kind.SESSION_DIED);
    }

    @Test
    void malformedPayloadKillsTheWorker() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.send(Frame.RESULT, new Out().writeLong(1).writeByte(0).writeInt(999_999));
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("string length 999999");
    }

    /** Issue 13: the host searched the worker's output for "OutOfMemoryError" and called this a LIMIT. */
    @Test
    void aWorkerThatPrintsOutOfMemoryErrorAndHaltsIsSessionDied() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.say("Terminating due to java.lang.OutOfMemoryError: Java heap space");
        fake.exit(1);
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).as("%s", report).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("exit code 1").contains("it said: Terminating due to java.lang.OutOfMemoryError");
    }

    @Test
    void theRuntimesOutOfMemoryExitStatusIsALimitWhateverTheWorkerSaid() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.say("all is well");
        fake.exit(Launcher.JVM_OUT_OF_MEMORY_EXIT);
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).as("%s", report).isEqualTo(Kind.LIMIT);
        assertThat(report.message()).contains("ran out of memory").contains("exit code 3");
    }

    @Test
    void silentWorkerIsStoppedThenKilled() throws Exception {
        long start = System.nanoTime();
        var r = runAsync(300);
        fake.expectExecute();
        fake.expect(Frame.STOP);
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(report.message()).contains("the worker was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        Await.until(() -> !fake.process().isAlive(), () -> "killed");
    }

    @Test
    void workerThatStopsReadingCannotHangTheCaller() throws Exception {
        long start = System.nanoTime();
        // nearly a full frame of code, to a worker that never reads: the host's write blocks in the kernel
        String code = "x".repeat(Frame.MAX_LENGTH - 64);
        RunReport report = CompletableFuture.supplyAsync(() -> Execution.run(worker, settings(), 1, code, TimeUnit.MILLISECONDS.toNanos(300)))
                .get(20, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(report.message()).contains("the worker was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        Await.until(() -> !fake.process().isAlive(), () -> "killed");
    }

    @Test
    void toolCallsAreCheckedByTheHost() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        for (int call = 1; call <= 3; call++) {
            Out o = new Out().writeLong(1).writeLong(call).writeString("count");
            Values.write(o, Map.of());
            fake.send(Frame.TOOL_CALL, o);
        }
        for (int i = 0; i < 3; i++) {
            In reply = fake.expect(Frame.TOOL_RESULT);
            reply.readLong();
            reply.readLong();
            assertThat(reply.readBoolean()).isTrue();
        }
        assertThat(toolCalls.get()).isEqualTo(3);
        fake.sendResult(1, 0, "");
        assertThat(r.get(10, TimeUnit.SECONDS).kind()).isNull();

        var second = runAsync(5_000);
        fake.expectExecute();
        Out notAMap = new Out().writeLong(2).writeLong(1).writeString("count");
        Values.write(notAMap, "just a string");
        fake.send(Frame.TOOL_CALL, notAMap);
        In refused = fake.expect(Frame.TOOL_RESULT);
        refused.readLong();
        refused.readLong();
        assertThat(refused.readBoolean()).isFalse();
        assertThat(refused.readString()).contains("arguments must be a map");
        fake.sendResult(2, 0, "");
        assertThat(second.get(10, TimeUnit.SECONDS).kind()).isNull();
    }

    @Test
    void moreToolCallsThanTheLimitIsAViolation() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        try {
            for (int call = 1; call <= 4; call++) {
                Out o = new Out().writeLong(1).writeLong(call).writeString("count");
                Values.write(o, Map.of());
                fake.send(Frame.TOOL_CALL, o);
            }
        } catch (IOException cutOff) {
            // closed by the host
        }
        assertThat(r.get(10, TimeUnit.SECONDS).message()).contains("tool call 4, more than maxToolCalls (3)");
    }

    @Test
    void workerThatDisconnectsIsReportedDead() throws Exception {
        var r = runAsync(5_000);
        fake.expectExecute();
        fake.disconnect();
        RunReport report = r.get(10, TimeUnit.SECONDS);
        assertThat(report.kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(report.message()).contains("closed its connection");
        Await.until(() -> !fake.process().isAlive(), () -> "a worker that hung up is killed");
    }
}
