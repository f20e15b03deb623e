package io.poolkit.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.ExecutionError.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A virtual thread is listed nowhere a worker can look (not in {@code Thread.getAllStackTraces()});
 * while it waits without a timeout (here for a reference queue, which the JDK's Reference Handler fills
 * at the next GC) it holds no carrier, and the carriers end after 30 s without work. A snippet that waits
 * that long leaves no thread behind, yet its virtual thread wakes during a later caller's execution
 * (DESIGN pool-session "Tenants"). Before JDK 21 there are no virtual threads: the snippet does not compile.
 * Passes on JDK 25 because the first virtual thread starts the JDK's VirtualThread-unblocker (JDK 24+),
 * which never ends and is reported as left running; JDK 21 to 23 have no such thread (not run here).
 */
// Runs with -Pslow (pool-session's pom): a minute or more, too long for every verify.
@Timeout(180)
class ParkedVirtualThreadIT {
    private SecureSessionPool pool;

    @RegisterExtension
    final OpenPools pools = new OpenPools();

    @Test
    void aVirtualThreadThatOutwaitsItsCarriersDoesNotReachTheNextCaller() {
        pool = pools.add(TestSessions.pool().name("parked-virtual").size(1).resetBetweenUses(false).build());
        String plant = "var queue = new java.lang.ref.ReferenceQueue<Object>();\n"
                + "var ref = new java.lang.ref.WeakReference<Object>(new Object(), queue);\n"
                + "Runnable act = () -> { System.setProperty(\"planted\", \"A\");"
                + " for (var e : Thread.getAllStackTraces().entrySet()) { for (var f : e.getValue()) {"
                + " if (f.getClassName().startsWith(\"REPL.\") && e.getKey() != Thread.currentThread()) { e.getKey().interrupt(); break; } } } };\n"
                + "Thread.ofVirtual().start(() -> { try { queue.remove(); } catch (InterruptedException e) { return; } act.run(); });\n"
                + "boolean carriers = true;\n"
                + "for (int i = 0; i < 900 && carriers; i++) { Thread.sleep(50); carriers = Thread.getAllStackTraces().keySet().stream()"
                + ".anyMatch(t -> t.getName().startsWith(\"ForkJoinPool-\")); }\n"
                + "carriers";
        ExecutionResult planted = pool.execute(plant, Duration.ofSeconds(58), Duration.ofSeconds(60));
        if (Runtime.version().feature() < 21) {
            assertThat(planted.error().orElseThrow().kind()).as("%s", planted).isEqualTo(Kind.COMPILE_ERROR);
        } else {
            assertThat(planted.error()).as("%s", planted).isEmpty(); // "false": the carriers ended (else they are reported as left running)
        }
        ExecutionResult next = pool.execute("System.gc(); Thread.sleep(1500); System.getProperty(\"planted\") + \"-\" + (6 * 7)",
                TestSessions.T, Duration.ofSeconds(60));
        assertThat(next.error()).as("%s", next).isEmpty();
        assertThat(next.value()).isEqualTo("\"null-42\"");
    }
}
