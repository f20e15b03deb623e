package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.ExecutionError.Kind;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Heap a snippet leaves reachable from a registry of the JDK survives a reset; with
 * {@code resetBetweenUses(true)} it must not deny the next caller its heap (DESIGN pool-session
 * "Tenants"). The workers have {@code heap("128m")} ({@link TestSessions#small()}).
 */
@Timeout(120)
class RetainedMemoryTest {
    /** 90 MiB on a handler of the root logger: nothing of it is JShell state, so a reset does not free it. */
    private static final String HOLD_90_MIB_ON_ROOT_LOGGER = "class Hold extends java.util.logging.Handler {\n"
            + " final List<byte[]> held = new ArrayList<>();\n"
            + " public void publish(java.util.logging.LogRecord r) { }\n"
            + " public void flush() { }\n"
            + " public void close() { } }\n"
            + "var hold = new Hold();\n"
            + "for (int i = 0; i < 90; i++) { hold.held.add(new byte[1 << 20]); }\n"
            + "java.util.logging.Logger.getLogger(\"\").addHandler(hold);\n"
            + "hold.held.size()";

    /** The next caller: 40 MB that a fresh worker of this size gives (not in a variable: JShell would print the array as its value). */
    private static final String ALLOCATE_40_MB = "int touch(int n) { byte[] b = new byte[n]; b[n - 1] = 7; return b[n - 1] + b.length; }\n"
            + "touch(40_000_000)";

    @RegisterExtension
    final OpenPools pools = new OpenPools();

    private SecureSessionPool pool() {
        return pools.add(TestSessions.pool().name("retained-memory").size(1).resetBetweenUses(true).build());
    }

    /**
     * The snippet's own execution ends normally, and its worker is retired for the heap it holds; or, where
     * the worker has less room (JDK 25 keeps a little more of its own), the snippet runs out of heap itself
     * ({@code LIMIT}). Either way the next caller gets a worker with its heap back.
     */
    @Test
    void heapLeftOnALoggingHandlerDoesNotDenyTheNextCaller() {
        SecureSessionPool p = pool();
        Set<SecureSession> attacked = Set.copyOf(p.sessions());
        ExecutionResult r = p.execute(HOLD_90_MIB_ON_ROOT_LOGGER, T);
        SecureSession s = attacked.iterator().next();
        if (r.error().isPresent()) {
            assertThat(r.error().get().kind()).as("%s", r).isEqualTo(Kind.LIMIT);
        } else {
            assertThat(r.value()).isEqualTo("90");
            assertThat(s.recycleReason()).as("%s", s).contains("left behind heap: ").contains("MiB still held past the reset");
        }
        ExecutionResult next = p.execute(ALLOCATE_40_MB, T);
        assertThat(next.error()).as("%s after %s (%s)", next, r, s.recycleReason()).isEmpty();
        assertThat(next.value()).isEqualTo("40000007");
        assertThat(p.stats().created()).as("the worker holding the heap was replaced: %s", p.stats()).isEqualTo(2);
    }

    /**
     * The same attack on a Python pool (which resets between uses by default): 150 MiB hung on the logging
     * module, whose state outlives any snippet in one interpreter, in an evaluator of 256 MiB of address space.
     * The reset starts a fresh evaluator process, so the next caller has its memory back (no heap check needed).
     */
    @Test
    void memoryLeftOnAPythonModuleDoesNotDenyTheNextCaller() {
        TestSessions.requirePython();
        SecureSessionPool p = pools.add(TestSessions.pool().name("retained-python").language(Language.PYTHON).size(1).build());
        ExecutionResult r = p.execute("import logging\nlogging.root.held = bytearray(150 << 20)\nlen(logging.root.held) >> 20", T);
        assertThat(r.value()).as("%s", r).isEqualTo("150");
        ExecutionResult next = p.execute("import logging\n(hasattr(logging.root, 'held'), len(bytearray(150 << 20)) >> 20)", T);
        assertThat(next.value()).as("%s", next).isEqualTo("(False, 150)");
        assertThat(p.stats().created()).as("the same worker, its evaluator fresh: %s", p.stats()).isEqualTo(1);
    }

    /**
     * Heap held only by the JShell state (which the reset drops) and garbage must not retire a worker. The state
     * (70 MiB in a variable) takes the heap in use past the allowance, so the worker drops it, collects and
     * measures each time; the first time in the worker's first execution, whose shell once stayed reachable.
     */
    @Test
    void garbageAndJShellStateDoNotRetireTheWorker() {
        SecureSessionPool p = pool();
        Set<SecureSession> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            seen.addAll(p.sessions());
            ExecutionResult state = p.execute("var big = new ArrayList<byte[]>(); for (int i = 0; i < 70; i++) { big.add(new byte[1 << 20]); }\n"
                    + "big.size()", T);
            assertThat(state.value()).as("%s", state).isEqualTo("70");
            seen.addAll(p.sessions());
            ExecutionResult churn = p.execute("long sum = 0; for (int i = 0; i < 3000; i++) { sum += new byte[100_000].length; } sum", T);
            assertThat(churn.value()).as("%s", churn).isEqualTo("300000000");
        }
        seen.addAll(p.sessions());
        for (SecureSession s : seen) {
            assertThat(s.recycleReason()).as("%s", s).satisfiesAnyOf(r -> assertThat(r).isNull(), r -> assertThat(r).doesNotContain("heap"));
        }
    }
}
