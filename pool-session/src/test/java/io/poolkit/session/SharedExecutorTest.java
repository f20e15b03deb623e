package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.ExecutionError.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Work a snippet hands to an executor the JDK shares (the common ForkJoinPool, the delayed executor
 * of CompletableFuture) must not act during a later caller's execution in the same session (DESIGN
 * pool-session "Tenants", rule 6): the planted task here waits, then interrupts every thread that
 * runs snippet code, sets a system property and prints. The tasks are JDK method references or
 * wait in JDK code, so no frame of the snippet's own classes shows while they wait.
 */
@Timeout(120)
class SharedExecutorTest {
    /** Runs later, on a pool thread: interrupts every thread running snippet code, leaves a mark, prints. */
    private static final String ACT = "Runnable act = () -> { System.setProperty(\"planted\", \"A\"); System.out.print(\"PLANTED\");"
            + " for (var e : Thread.getAllStackTraces().entrySet()) { for (var f : e.getValue()) {"
            + " if (f.getClassName().startsWith(\"REPL.\") && e.getKey() != Thread.currentThread()) { e.getKey().interrupt(); break; } } } };\n";

    private SecureSessionPool pool;

    @RegisterExtension
    final OpenPools pools = new OpenPools();

    private SecureSessionPool pool(boolean reset) {
        pool = pools.add(TestSessions.pool().name("shared-executors").size(1).resetBetweenUses(reset).build());
        return pool;
    }

    /** The second caller, long enough for the planted task to fire: its own value, output and properties. */
    private static void nextCallerIsUntouched(SecureSessionPool p) {
        ExecutionResult next = p.execute("Thread.sleep(800); System.getProperty(\"planted\") + \"-\" + (6 * 7)", T);
        assertThat(next.error()).as("%s", next).isEmpty();
        assertThat(next.value()).isEqualTo("\"null-42\"");
        assertThat(next.stdout()).as("nothing planted wrote into it").isEmpty();
    }

    /** A task queued on the common pool behind one that waits in JDK code (a queue's take). */
    private static final String QUEUED_ON_COMMON_POOL = ACT + "var gate = new java.util.concurrent.LinkedBlockingQueue<Object>();\n"
            + "var pool = ForkJoinPool.commonPool();\n"
            + "pool.submit((java.util.concurrent.Callable<Object>) () -> gate.poll(300, TimeUnit.MILLISECONDS));\n"
            + "for (int i = 0; i < 4; i++) { pool.execute(act); }\n"
            + "1";

    /** A task the delayed executor hands to the common pool later. */
    private static final String DELAYED = ACT + "CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS, ForkJoinPool.commonPool()).execute(act);\n"
            + "1";

    @Test
    void aTaskQueuedOnTheCommonPoolDoesNotReachTheNextCaller() {
        SecureSessionPool p = pool(false);
        assertThat(p.execute(QUEUED_ON_COMMON_POOL, T).value()).isEqualTo("1");
        nextCallerIsUntouched(p);
        nextCallerIsUntouched(p);
    }

    @Test
    void aDelayedTaskDoesNotReachTheNextCaller() {
        SecureSessionPool p = pool(false);
        assertThat(p.execute(DELAYED, T).value()).isEqualTo("1");
        nextCallerIsUntouched(p);
        nextCallerIsUntouched(p);
    }

    /** A virtual thread is not among {@code Thread.getAllStackTraces()}; the scheduler's carrier it starts is (before JDK 21: no such API). */
    @Test
    void aWaitingVirtualThreadDoesNotReachTheNextCaller() {
        SecureSessionPool p = pool(false);
        ExecutionResult r = p.execute(ACT + "Thread.ofVirtual().start(() -> { try { Thread.sleep(300); } catch (InterruptedException e) { } act.run(); });\n1", T);
        if (Runtime.version().feature() < 21) {
            assertThat(r.error().orElseThrow().kind()).as("%s", r).isEqualTo(Kind.COMPILE_ERROR);
        } else {
            assertThat(r.value()).as("%s", r).isEqualTo("1");
        }
        nextCallerIsUntouched(p);
        nextCallerIsUntouched(p);
    }

    @Test
    void aDelayedTaskDoesNotReachTheNextCallerWithResetBetweenUses() {
        SecureSessionPool p = pool(true);
        assertThat(p.execute(DELAYED, T).value()).isEqualTo("1");
        nextCallerIsUntouched(p);
    }

    /**
     * A security provider the snippet defines, first in the list: the JDK asks each provider in turn for
     * every algorithm a later caller looks up, so its {@code getService} would run in that caller's execution.
     */
    private static final String PROVIDER = ACT + "try { java.security.Security.insertProviderAt(new java.security.Provider(\"Planted\", \"1\", \"planted\") {\n"
            + " @Override public java.security.Provider.Service getService(String type, String algorithm) { act.run(); return null; } }, 1);\n"
            + "} catch (SecurityException refused) { }\n"
            + "1";

    @Test
    void aSecurityProviderDoesNotReachTheNextCaller() {
        SecureSessionPool p = pool(true);
        assertThat(p.execute(PROVIDER, T).value()).isEqualTo("1");
        ExecutionResult next = p.execute("java.security.MessageDigest.getInstance(\"SHA-256\").digest(new byte[1]).length"
                + " + \"-\" + System.getProperty(\"planted\")", T);
        assertThat(next.error()).as("%s", next).isEmpty();
        assertThat(next.value()).as("%s", next).isEqualTo("\"32-null\"");
        assertThat(next.stdout()).as("nothing planted wrote into it").isEmpty();
    }

    /**
     * A relay of short-lived threads: each starts the next and ends, so the thread seen when the worker
     * lists the threads is gone once it has been waited for, and its successor was never listed.
     */
    private static final String RELAY = ACT + "class Relay implements Runnable { final long until; Relay(long until) { this.until = until; }\n"
            + " public void run() { try { Thread.sleep(2); } catch (InterruptedException e) { }\n"
            + "  if (System.nanoTime() > until) { act.run(); return; }\n"
            + "  Thread t = new Thread(new Relay(until)); t.setDaemon(true); t.start(); } }\n"
            + "new Thread(new Relay(System.nanoTime() + 600_000_000L)).start();\n"
            + "1";

    @Test
    void aRelayOfShortLivedThreadsDoesNotReachTheNextCaller() {
        SecureSessionPool p = pool(false);
        assertThat(p.execute(RELAY, T).value()).isEqualTo("1");
        nextCallerIsUntouched(p);
        nextCallerIsUntouched(p);
    }

    /**
     * The same relay, hidden from a listing by thread groups (JDK 17 and 18): a group whose {@code destroy()}
     * is refused by a subgroup that still has a thread is left half destroyed, still in its parent but with no
     * subgroups of its own, so enumerating the groups from the root no longer reaches the relay's group.
     */
    private static final String HIDDEN_RELAY = ACT + "var outer = new ThreadGroup(\"outer\"); var hidden = new ThreadGroup(outer, \"hidden\");\n"
            + "class Relay implements Runnable { final long until; Relay(long until) { this.until = until; }\n"
            + " public void run() { try { Thread.sleep(2); } catch (InterruptedException e) { }\n"
            + "  if (System.nanoTime() > until) { act.run(); return; }\n"
            + "  Thread t = new Thread(hidden, new Relay(until)); t.setDaemon(true); t.start(); } }\n"
            + "new Thread(hidden, new Relay(System.nanoTime() + 600_000_000L)).start();\n"
            + "try { outer.destroy(); } catch (Throwable e) { }\n"
            + "1";

    @Test
    void aRelayInAHiddenThreadGroupDoesNotReachTheNextCaller() {
        SecureSessionPool p = pool(true);
        assertThat(p.execute(HIDDEN_RELAY, T).value()).isEqualTo("1");
        nextCallerIsUntouched(p);
        nextCallerIsUntouched(p);
    }

    /**
     * A listener for the JVM's memory notifications, which the JVM's "Notification Thread" calls after a
     * collection: it returns at once, so no thread is left running snippet code, yet it acts in every later
     * execution that collects (the next caller here asks for a collection; javac's own garbage does too).
     */
    private static final String NOTIFIED = ACT + "var mem = java.lang.management.ManagementFactory.getMemoryMXBean();\n"
            + "((javax.management.NotificationEmitter) mem).addNotificationListener((n, h) -> act.run(), null, null);\n"
            + "for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {"
            + " if (pool.isCollectionUsageThresholdSupported()) { pool.setCollectionUsageThreshold(1); } }\n"
            + "1";

    @Test
    void aMemoryNotificationListenerDoesNotReachTheNextCaller() {
        SecureSessionPool p = pool(true);
        assertThat(p.execute(NOTIFIED, T).value()).isEqualTo("1");
        for (int i = 0; i < 2; i++) {
            ExecutionResult next = p.execute("System.gc(); Thread.sleep(300); System.getProperty(\"planted\") + \"-\" + (6 * 7)", T);
            assertThat(next.error()).as("%s", next).isEmpty();
            assertThat(next.value()).isEqualTo("\"null-42\"");
        }
    }

    /**
     * The leftover-thread rule must not retire a session for what the worker or the JDK does on an ordinary
     * snippet's behalf (formatting, regular expressions, java.time, sequential streams, a completed future, the
     * thread snapshot itself): the same worker serves every execution. Not here: a parallel stream (or on JDK 25
     * {@code supplyAsync}) starts common-pool threads that outlive the execution, which the rule reports.
     */
    @Test
    void ordinaryExecutionsKeepTheSameWorker() {
        SecureSessionPool p = pool(true);
        for (int i = 0; i < 3; i++) {
            ExecutionResult r = p.execute("String.format(\"%,d %.2f %08X\", 1234567, 3.14159, 255)"
                    + " + java.util.regex.Pattern.compile(\"a+\").matcher(\"caaat\").replaceAll(\"b\")"
                    + " + java.time.LocalDate.of(2020, 1, 1).plusDays(3) + java.util.stream.IntStream.range(0, 5).boxed().toList()"
                    + " + CompletableFuture.completedFuture(20).thenApply(x -> x + 1).join()", T);
            assertThat(r.value()).as("%s", r).isEqualTo("\"1,234,567 3.14 000000FFcbt2020-01-04[0, 1, 2, 3, 4]21\"");
        }
        assertThat(p.stats().created()).as("one worker for all three executions: %s", p.stats()).isEqualTo(1);
    }

    /** The JVM's threads the worker holds for good: the Notification Thread, and on JDK 17 the Finalizer. */
    private static final String HELD = "t.getName().equals(\"Notification Thread\") || t.getName().equals(\"Finalizer\")";

    /**
     * A snippet sees the held threads and may interrupt them where no security manager refuses it (JDK 24+):
     * the interrupt must only wake the held thread, never leave it spinning on a core for the rest of the
     * worker's life (a park returns at once while the interrupt flag is set).
     */
    @Test
    void interruptingAHeldJvmThreadDoesNotLeaveItSpinning() {
        SecureSessionPool p = pool(true);
        ExecutionResult r = p.execute("String hit = \"\"; for (Thread t : Thread.getAllStackTraces().keySet()) { if (" + HELD + ") {"
                + " try { t.interrupt(); hit += t.getName() + \":interrupted \"; } catch (SecurityException e) { hit += t.getName() + \":refused \"; } } } hit", T);
        assertThat(r.value()).as("%s", r).contains("Notification Thread:");
        ExecutionResult cpu = p.execute("var mx = java.lang.management.ManagementFactory.getThreadMXBean(); long busy = 0;"
                + " for (Thread t : Thread.getAllStackTraces().keySet()) { if (" + HELD + ") {"
                + " long a = mx.getThreadCpuTime(t.getId()); Thread.sleep(300); busy = Math.max(busy, mx.getThreadCpuTime(t.getId()) - a); } }"
                + " busy / 1_000_000", T);
        assertThat(cpu.error()).as("%s", cpu).isEmpty();
        assertThat(Long.parseLong(cpu.value())).as("CPU milliseconds a held thread used in 300 ms, after %s", r.value()).isLessThan(50);
    }
}
