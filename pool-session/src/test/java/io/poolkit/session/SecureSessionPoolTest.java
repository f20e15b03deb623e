package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.DestroyReason;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolTimeoutException;
import io.poolkit.session.ExecutionError.Kind;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The pool: pre-warmed sessions, status under concurrent use, background replacement, reset between uses. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class SecureSessionPoolTest {
    private SecureSessionPool pool;
    private final List<SecureSessionPool> extra = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() {
        pool = TestSessions.pool().name("shared").size(2).stopGrace(Duration.ofMillis(300)).build();
    }

    @AfterAll
    void stop() {
        pool.close();
        assertThat(pool.stats().size()).isZero();
    }

    @AfterEach
    void countsRuleHoldsAndEverySessionIsBack() {
        Await.until(Duration.ofSeconds(30), () -> pool.status().idle() == 2 && pool.status().total() == 2 && pool.status().starting() == 0,
                () -> "two idle sessions again: " + pool);
        PoolChecks.assertCountsRule(pool::stats);
        for (SecureSessionPool p : extra) {
            PoolChecks.assertCountsRule(p::stats);
            p.close();
            assertThat(p.stats().size()).as("nothing left after close: %s", p.stats()).isZero();
            assertThat(p.stats().created()).isEqualTo(p.stats().destroyed());
        }
        extra.clear();
    }

    private SecureSessionPool extra(SecureSessionPool.Builder b) {
        SecureSessionPool p = b.build();
        extra.add(p);
        return p;
    }

    @Test
    void buildStartsEverySessionAndExecuteRuns() {
        assertThat(pool.size()).isEqualTo(2);
        assertThat(pool.status()).isEqualTo(new SessionPoolStatus(2, 0, 2, 0, 0));
        assertThat(pool.available()).isEqualTo(2);
        ExecutionResult r = pool.execute("1 + 1", T, Duration.ofSeconds(1));
        assertThat(r.value()).isEqualTo("2");
        assertThat(pool.toString()).contains("shared").contains("size=2").contains("idle=2").contains("sandbox=");
        assertThat(pool.execute("6 * 7", T).value()).isEqualTo("42");
    }

    @Test
    void statusAddsUpUnderConcurrentUse() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<SessionPoolStatus> seen = new CopyOnWriteArrayList<>();
        Threads.run(7, Duration.ofSeconds(60), i -> {
            if (i == 6) {
                while (running.get()) {
                    seen.add(pool.status());
                    Thread.onSpinWait();
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                }
                return;
            }
            try {
                for (int k = 0; k < 3; k++) {
                    ExecutionResult r = pool.execute("Thread.sleep(50); " + k, T, Duration.ofSeconds(30));
                    assertThat(r.value()).as("%s", r).isEqualTo(Integer.toString(k));
                }
            } finally {
                if (i == 0) {
                    running.set(false);
                }
            }
        });
        assertThat(seen).isNotEmpty();
        for (SessionPoolStatus s : seen) {
            assertThat(s.total()).as("%s", s).isEqualTo(2);
            assertThat(s.busy() + s.idle() + s.dead()).as("%s", s).isEqualTo(s.total());
            assertThat(s.busy()).as("%s", s).isBetween(0, 2);
        }
        assertThat(seen).as("both sessions were busy at some point").anyMatch(s -> s.busy() == 2);
        assertThat(pool.stats().created()).as("no session was replaced").isEqualTo(2 + pool.stats().destroyed());
    }

    @Test
    void timedOutSessionsAreReplacedInTheBackground() {
        long created = pool.stats().created();
        ExecutionResult loop = pool.execute("while (true) {}", Duration.ofMillis(500), Duration.ofSeconds(5));
        ExecutionResult call = pool.execute("java.util.stream.LongStream.range(0, Long.MAX_VALUE).sum()", Duration.ofMillis(500),
                Duration.ofSeconds(5));
        assertThat(loop.error().orElseThrow().kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(call.error().orElseThrow().kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(loop.duration()).isLessThan(Duration.ofSeconds(5));
        assertThat(call.duration()).isLessThan(Duration.ofSeconds(5));
        Await.until(Duration.ofSeconds(30), () -> pool.stats().created() == created + 2 && pool.status().idle() == 2,
                () -> "both replaced: " + pool + " " + pool.stats());
        assertThat(pool.stats().destroyedBy(DestroyReason.INVALIDATED)).isGreaterThanOrEqualTo(2);
    }

    @Test
    void deadIdleSessionIsReplacedWithoutACallerWaitingForIt() throws Exception {
        long created = pool.stats().created();
        SecureSession victim = pool.sessions().iterator().next();
        victim.worker().handle().descendants().forEach(ProcessHandle::destroyForcibly);
        victim.worker().handle().destroyForcibly();
        Await.until(() -> !victim.isAlive(), () -> "killed");
        long start = System.nanoTime();
        ExecutionResult r = pool.execute("3", T, Duration.ofSeconds(10));
        assertThat(r.value()).as("%s", r).isEqualTo("3");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("served by the live session, not by a fresh start")
                .isLessThan(Duration.ofMillis(900));
        Await.until(Duration.ofSeconds(30), () -> pool.stats().created() == created + 1 && pool.status().dead() == 0,
                () -> "replaced: " + pool);
    }

    @Test
    void sessionWithALeftoverThreadIsRecycled() {
        long created = pool.stats().created();
        ExecutionResult r = pool.execute("var spy = new Thread(() -> { while (true) { try { Thread.sleep(20); }"
                + " catch (InterruptedException e) { } } }); spy.setDaemon(true); spy.start();", T, Duration.ofSeconds(5));
        assertThat(r.isSuccess()).isTrue();
        Await.until(Duration.ofSeconds(30), () -> pool.stats().created() == created + 1, () -> "recycled: " + pool.stats());
    }

    @Test
    void withoutResetStatePersistsInASession() {
        SecureSessionPool one = extra(TestSessions.pool().name("keeps").size(1));
        assertThat(one.execute("int secret = 42;", T).isSuccess()).isTrue();
        assertThat(one.execute("secret", T).value()).isEqualTo("42");
    }

    @Test
    void resetBetweenUsesIsolatesEveryExecution() {
        SecureSessionPool one = extra(TestSessions.pool().name("resets").size(1).resetBetweenUses(true)
                .tools(Tool.of("ping", "", List.of(), a -> "pong")));
        assertThat(one.execute("int secret = 42; class Mine {} secret", T).value()).isEqualTo("42");
        ExecutionResult next = one.execute("secret", T);
        assertThat(next.error().orElseThrow().kind()).as("the next caller cannot see it: %s", next).isEqualTo(Kind.COMPILE_ERROR);
        assertThat(one.execute("new Mine()", T).error().orElseThrow().kind()).isEqualTo(Kind.COMPILE_ERROR);
        assertThat(one.execute("tools.call(\"ping\")", T).value()).as("tools and imports are back").isEqualTo("\"pong\"");
        assertThat(one.execute("List.of(1)", T).value()).isEqualTo("[1]");
        assertThat(one.stats().created()).as("one warm worker, reset in place").isEqualTo(1);
    }

    @Test
    void resetPutsBackTheJvmWideSettingsASnippetChanged() {
        SecureSessionPool one = extra(TestSessions.pool().name("resets-jvm").size(1).resetBetweenUses(true));
        ExecutionResult r = one.execute("System.setProperty(\"leak\", \"x\"); Locale.setDefault(Locale.JAPAN);"
                + " Files.writeString(Path.of(System.getProperty(\"java.io.tmpdir\"), \"left-\" + ProcessHandle.current().pid()), \"x\");"
                + " System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));"
                + " Locale.setDefault(Locale.Category.FORMAT, Locale.GERMANY); TimeZone.setDefault(TimeZone.getTimeZone(\"Asia/Tokyo\"));"
                + " Authenticator.setDefault(new Authenticator() { }); ProxySelector.setDefault(null);"
                + " CookieHandler.setDefault(new CookieManager()); ResponseCache.setDefault(new ResponseCache() {"
                + " public CacheResponse get(URI u, String m, Map<String, List<String>> h) { return null; }"
                + " public CacheRequest put(URI u, URLConnection c) { return null; } });", T);
        assertThat(r.isSuccess()).as("%s", r).isTrue();
        assertThat(one.execute("String.format(\"%.1f\", 1.5) + \" \" + TimeZone.getDefault().getID().equals(\"Asia/Tokyo\")"
                + " + \" \" + Authenticator.getDefault() + \" \" + (ProxySelector.getDefault() != null) + \" \" + CookieHandler.getDefault()"
                + " + \" \" + ResponseCache.getDefault()", T).value()).as("the JDK-wide defaults are back").isEqualTo("\"1.5 false null true null null\"");
        assertThat(one.execute("System.getProperty(\"leak\")", T).value()).isEqualTo("null");
        assertThat(one.execute("Locale.getDefault() == Locale.JAPAN", T).value()).isEqualTo("false");
        assertThat(one.execute("System.out.print(\"seen\");", T).stdout()).as("output is captured again").isEqualTo("seen");
        if (TestSessions.sandboxed()) {
            assertThat(one.execute("new java.io.File(\"/tmp\").list().length", T).value()).as("the sandbox's /tmp is emptied").isEqualTo("0");
        }
    }

    @Test
    void maxUsesPerSessionOneGivesEveryExecutionItsOwnWorker() {
        SecureSessionPool one = extra(TestSessions.pool().name("single-use").size(1).maxUsesPerSession(1));
        assertThat(one.execute("int mine = 1; ProcessHandle.current().pid()", T).isSuccess()).isTrue();
        ExecutionResult next = one.execute("mine", T);
        assertThat(next.error().orElseThrow().kind()).isEqualTo(Kind.COMPILE_ERROR);
        Await.until(Duration.ofSeconds(30), () -> one.stats().created() == 3 && one.status().idle() == 1, () -> "replaced: " + one.stats());
        assertThatThrownBy(() -> SecureSessionPool.builder().maxUsesPerSession(0)).hasMessage("maxUsesPerSession must be at least 1, but was 0");
    }

    @Test
    void callerWaitingLongerThanItsAcquireTimeoutGetsPoolTimeout() throws Exception {
        SecureSessionPool one = extra(TestSessions.pool().name("busy").size(1));
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<ExecutionResult> holder = CompletableFuture.supplyAsync(() -> {
            running.countDown();
            return one.execute("Thread.sleep(1500); 1", T, Duration.ofSeconds(5));
        });
        running.await();
        Await.until(() -> one.status().busy() == 1, () -> "busy: " + one);
        assertThatThrownBy(() -> one.execute("2", T, Duration.ofMillis(100))).isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("busy");
        assertThat(holder.get(20, TimeUnit.SECONDS).value()).isEqualTo("1");
    }

    @Test
    void closedPoolRefusesWorkAndEndsEveryWorker() {
        SecureSessionPool p = TestSessions.pool().name("closing").size(2).build();
        List<ProcessHandle> workers = p.sessions().stream().map(s -> s.worker().handle()).toList();
        p.close();
        p.close();
        assertThatThrownBy(() -> p.execute("1", T, Duration.ofSeconds(1))).isInstanceOf(PoolClosedException.class);
        assertThat(workers).noneMatch(ProcessHandle::isAlive);
        assertThat(p.status().total()).isZero();
        PoolChecks.assertCountsRule(p::stats);
    }

    @Test
    void builderRejectsBadValuesNamingTheRule() {
        assertThatThrownBy(() -> SecureSessionPool.builder().size(0)).hasMessage("size must be between 1 and 256, but was 0");
        assertThatThrownBy(() -> SecureSessionPool.builder().name(" ")).hasMessageContaining("name must be 1 to 48 characters");
        assertThatThrownBy(() -> SecureSessionPool.builder().acquireTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("acquireTimeout must not be negative");
        assertThatThrownBy(() -> SecureSessionPool.builder().startTimeout(Duration.ZERO)).hasMessage("startTimeout must be more than zero, but was PT0S");
        assertThatThrownBy(() -> SecureSessionPool.builder().stopGrace(Duration.ofMillis(-1))).hasMessageContaining("stopGrace must not be negative");
        assertThatThrownBy(() -> pool.execute("1", Duration.ZERO, Duration.ZERO)).hasMessageContaining("timeout must be more than zero");
    }
}
