package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.session.ExecutionError.Kind;
import io.poolkit.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Timeouts, restarts, deaths and closes: one session for the class, restarted whenever a test leaves it dead. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class SessionLifecycleTest {
    private static final Duration SHORT = Duration.ofMillis(800);
    private SecureSession session;

    @BeforeAll
    void start() {
        session = TestSessions.session().name("lifecycle").stopGrace(Duration.ofMillis(300)).start();
    }

    @AfterAll
    void stop() {
        session.close();
    }

    @BeforeEach
    void aliveAndClean() {
        if (!session.isAlive() || session.recycleReason() != null) {
            session.restart();
        }
    }

    private static void assertTimedOutWithinItsBound(ExecutionResult r) {
        assertThat(r.error().orElseThrow().kind()).as("%s", r).isEqualTo(Kind.TIMEOUT);
        assertThat(r.duration()).as("stopped at the timeout, at most the grace and a little more past it")
                .isBetween(SHORT.minusMillis(50), SHORT.plusMillis(300 + 2_000));
    }

    @Test
    void infiniteLoopIsStoppedAtItsTimeout() {
        ExecutionResult r = session.execute("int spins = 0; while (true) { spins++; }", SHORT);
        assertTimedOutWithinItsBound(r);
        assertThat(r.error().orElseThrow().message()).contains("timed out after 800 ms");
        if (session.isAlive()) { // JShell.stop() worked: the session goes on
            assertThat(session.execute("1 + 2", T).value()).isEqualTo("3");
        }
    }

    @Test
    void longJdkLibraryCallIsStoppedOrTheWorkerKilled() {
        // a loop inside the JDK: on JDK 21+ JShell.stop() cannot reach it (it only checks in snippet
        // code), so the worker is killed after the grace
        ExecutionResult r = session.execute("java.util.stream.LongStream.range(0, Long.MAX_VALUE).sum()", SHORT);
        assertTimedOutWithinItsBound(r);
        if (!session.isAlive()) {
            assertThat(r.error().orElseThrow().message()).contains("the worker was killed");
            assertThat(session.execute("1", T).error().orElseThrow().kind()).isEqualTo(Kind.SESSION_DIED);
            session.restart();
        }
        assertThat(session.execute("40 + 2", T).value()).isEqualTo("42");
    }

    @Test
    void printingLoopIsStoppedAndTheWorkerLivesOn() {
        ExecutionResult r = session.execute("while (true) { System.out.print(\"\"); System.err.print(\"\"); }", SHORT);
        assertTimedOutWithinItsBound(r);
        assertThat(session.isAlive()).as("the stop interrupts the snippet while it prints").isTrue();
        assertThat(session.execute("2 + 2", T).value()).isEqualTo("4");
    }

    @Test
    void sleepingSnippetIsStopped() {
        assertTimedOutWithinItsBound(session.execute("Thread.sleep(60_000);", SHORT));
    }

    @Test
    void snippetSwallowingInterruptsIsStillEnded() {
        String stubborn = "while (true) { try { Thread.sleep(10_000); } catch (Throwable t) { } }";
        assertTimedOutWithinItsBound(session.execute(stubborn, SHORT));
    }

    @Test
    void maxWallTimeCapsTheCallersTimeout() {
        try (SecureSession s = TestSessions.session().name("walltime")
                .limits(TestSessions.smallLimits().maxWallTime(SHORT).build()).start()) {
            ExecutionResult r = s.execute("while (true) {}", Duration.ofHours(1));
            assertTimedOutWithinItsBound(r);
        }
    }

    @Test
    void restartClearsAllState() {
        session.execute("int remembered = 1;", T);
        assertThat(session.execute("remembered", T).value()).isEqualTo("1");
        session.restart();
        assertThat(session.isAlive()).isTrue();
        assertThat(session.execute("remembered", T).error().orElseThrow().kind()).isEqualTo(Kind.COMPILE_ERROR);
    }

    @Test
    void workerThatExitsIsReportedDeadUntilRestarted() {
        ExecutionResult r = session.execute("System.exit(3)", T);
        ExecutionError e = r.error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.SESSION_DIED);
        Await.until(() -> !session.isAlive(), () -> "dead: " + session);
        ExecutionResult after = session.execute("1", T);
        assertThat(after.error().orElseThrow().kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(after.error().orElseThrow().message()).contains("restart()");
        session.restart();
        assertThat(session.execute("1", T).value()).isEqualTo("1");
    }

    @Test
    void haltingWorkerIsReportedDead() {
        ExecutionResult r = session.execute("Runtime.getRuntime().halt(0)", T);
        assertThat(r.error().orElseThrow().kind()).isEqualTo(Kind.SESSION_DIED);
    }

    @Test
    void interruptedCallerGetsAnInterruptedResultAndTheWorkerIsKilled() throws Exception {
        CompletableFuture<ExecutionResult> result = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean flagKept = new java.util.concurrent.atomic.AtomicBoolean();
        Thread caller = new Thread(() -> {
            ExecutionResult r = session.execute("Thread.sleep(30_000); 1", T);
            flagKept.set(Thread.currentThread().isInterrupted());
            result.complete(r);
        });
        caller.start();
        Await.until(() -> caller.getState() == Thread.State.TIMED_WAITING || caller.getState() == Thread.State.WAITING, () -> "caller waits");
        caller.interrupt();
        ExecutionResult r = result.get(20, TimeUnit.SECONDS);
        caller.join(10_000);
        assertThat(r.error().orElseThrow().kind()).isEqualTo(Kind.INTERRUPTED);
        assertThat(flagKept).as("the interrupt flag stays set").isTrue();
        assertThat(session.isAlive()).isFalse();
    }

    @Test
    void threadLeftRunningMarksTheSessionForRecycling() {
        ExecutionResult r = session.execute("Thread spy = new Thread(() -> { while (true) { try { Thread.sleep(50); }"
                + " catch (InterruptedException e) { } } }); spy.setDaemon(true); spy.start();", T);
        assertThat(r.isSuccess()).as("%s", r).isTrue();
        assertThat(session.recycleReason()).contains("left").contains("thread");
    }

    @Test
    void shortLivedThreadsDoNotMarkTheSession() {
        ExecutionResult r = session.execute("Thread t = new Thread(() -> {}); t.start(); t.join(); 1", T);
        assertThat(r.isSuccess()).isTrue();
        assertThat(session.recycleReason()).isNull();
    }

    @Test
    void closedSessionRefusesWorkAndCloseIsIdempotent() {
        SecureSession s = TestSessions.session().name("closing").start();
        ProcessHandle worker = s.worker().handle();
        s.close();
        s.close();
        assertThat(s.isAlive()).isFalse();
        assertThat(worker.isAlive()).as("the worker process is gone").isFalse();
        assertThatThrownBy(() -> s.execute("1", T)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(s::restart).isInstanceOf(IllegalStateException.class);
        assertThat(s.toString()).contains("closed");
    }

    @Test
    void closeDuringAnExecutionEndsIt() throws Exception {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        Tool started = Tool.of("started", "says the snippet runs", java.util.List.of(), args -> {
            running.countDown();
            return null;
        });
        SecureSession s = TestSessions.session().name("closed-mid-run").tools(started).start();
        CompletableFuture<ExecutionResult> r = CompletableFuture.supplyAsync(
                () -> s.execute("tools.call(\"started\"); Thread.sleep(30_000);", T));
        assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
        s.close();
        ExecutionResult got = r.get(20, TimeUnit.SECONDS);
        assertThat(got.error().orElseThrow().kind()).isEqualTo(Kind.SESSION_DIED);
        assertThat(got.duration()).isLessThan(Duration.ofSeconds(10));
    }
}
