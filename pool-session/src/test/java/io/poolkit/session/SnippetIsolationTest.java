package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.ExecutionError.Kind;
import io.poolkit.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The boundary between a snippet and the worker's own code (DESIGN "Two trust boundaries", issue 13).
 * The review's attacks, each planted through reflection by a snippet: reach the worker's link, the
 * current execution or its scheduler; plant a task that forges the next caller's result; flood the
 * host with tiny frames after the result. Each must be refused or contained: the attacker learns
 * nothing, and the next caller — in the same pool of one session, with and without
 * {@code resetBetweenUses} — gets its own true result. Run unsandboxed (the module boundary does
 * not depend on the sandbox) and against the real bubblewrap sandbox.
 *
 * <p>Before the fix the worker's classes were on the class path: the first test read the link and
 * the scheduler, and the planted task gave the next caller the attacker's value.
 */
@Timeout(120)
class SnippetIsolationTest {
    private static final String WORKER = "io.poolkit.session.internal.worker.WorkerMain";

    /** Tries to make each of the worker's fields accessible and reports what stopped it. */
    private static final String REFLECT = "var out = new ArrayList<String>();\n"
            + "for (String f : List.of(\"link\", \"current\", \"stopper\", \"evalThread\", \"preparer\", \"evaluator\")) {\n"
            + "  try { var fld = Class.forName(\"" + WORKER + "\").getDeclaredField(f); fld.setAccessible(true); out.add(f + \":OPEN\"); }\n"
            + "  catch (Throwable e) { out.add(f + \":\" + e.getClass().getSimpleName()); } }\n"
            + "try { var b = tools.getClass().getDeclaredField(\"backend\"); b.setAccessible(true); out.add(\"backend:\" + b.get(tools)); }\n"
            + "  catch (Throwable e) { out.add(\"backend:\" + e.getClass().getSimpleName()); }\n"
            + "try { java.lang.invoke.MethodHandles.privateLookupIn(Class.forName(\"" + WORKER + "\"), java.lang.invoke.MethodHandles.lookup());"
            + " out.add(\"lookup:OPEN\"); } catch (Throwable e) { out.add(\"lookup:\" + e.getClass().getSimpleName()); }\n"
            + "try { Class.forName(\"sun.misc.Unsafe\"); out.add(\"unsafe:FOUND\"); } catch (Throwable e) { out.add(\"unsafe:\" + e.getClass().getSimpleName()); }\n"
            + "try { io.poolkit.session.snippet.Tools.install(null); out.add(\"install:DONE\"); }"
            + " catch (Throwable e) { out.add(\"install:\" + e.getClass().getSimpleName()); }\n"
            + "String.join(\" \", out)";

    private static final String REFUSED = "\"link:InaccessibleObjectException current:InaccessibleObjectException"
            + " stopper:InaccessibleObjectException evalThread:InaccessibleObjectException preparer:InaccessibleObjectException"
            + " evaluator:InaccessibleObjectException backend:InaccessibleObjectException lookup:IllegalAccessException"
            + " unsafe:ClassNotFoundException install:IllegalStateException\"";

    /**
     * Every way this snippet knows to leave code behind for the next caller: the worker's executors
     * (by reflection), the JDK's delayed executor, a plain thread, the default uncaught-exception
     * handler, the context class loader and uncaught handler of the worker's own threads, a thread
     * printing a flood of output and calling a tool after the result.
     */
    private static final String PLANT = "var tried = new ArrayList<String>();\n"
            + "Runnable forge = () -> { for (int i = 0; i < 200; i++) { System.out.print(\"FORGED \"); try { tools.call(\"count\"); }"
            + " catch (Throwable e) { } try { Thread.sleep(5); } catch (InterruptedException e) { } } };\n"
            + "for (String f : List.of(\"stopper\", \"evalThread\", \"preparer\")) { try { var fld = Class.forName(\"" + WORKER + "\")"
            + ".getDeclaredField(f); fld.setAccessible(true); tried.add(f + \":PLANTED\"); } catch (Throwable e) { tried.add(f + \":refused\"); } }\n"
            + "CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(forge);\n"
            + "var t = new Thread(() -> { try { Thread.sleep(300); } catch (InterruptedException e) { } forge.run(); }); t.setDaemon(true); t.start();\n"
            + "Thread.setDefaultUncaughtExceptionHandler((th, e) -> forge.run());\n"
            + "for (Thread w : Thread.getAllStackTraces().keySet()) { if (w.getName().startsWith(\"poolkit-\") && !w.getName().startsWith(\"poolkit-run\")) {\n"
            + "  try { w.setUncaughtExceptionHandler((th, e) -> forge.run()); w.setContextClassLoader(new ClassLoader() { }); w.interrupt(); }"
            + " catch (Throwable e) { tried.add(w.getName() + \":\" + e); } } }\n"
            + "String.join(\" \", tried)";

    abstract static class Attacks {
        private final AtomicInteger toolCalls = new AtomicInteger();
        private SecureSessionPool pool;
        @RegisterExtension
        final OpenPools pools = new OpenPools();

        abstract boolean sandboxed();

        SecureSessionPool pool(boolean reset) {
            if (sandboxed()) {
                TestSessions.requireSandbox();
            }
            pool = pools.add(SecureSessionPool.builder().name(reset ? "isolation-reset" : "isolation").sandbox(sandboxed()).limits(TestSessions.small())
                    .size(1).resetBetweenUses(reset).closeTimeout(Duration.ofSeconds(10))
                    .tools(Tool.of("count", "counts its calls", List.of(), a -> toolCalls.incrementAndGet())).build());
            return pool;
        }


        /** The next caller, run long enough for anything planted to fire: its own value, no one else's output or tool calls. */
        private void nextCallerGetsItsOwnTrueResult(SecureSessionPool p) {
            int callsBefore = toolCalls.get();
            ExecutionResult next = p.execute("Thread.sleep(800); 6 * 7", T);
            assertThat(next.error()).as("%s", next).isEmpty();
            assertThat(next.value()).isEqualTo("42");
            assertThat(next.stdout()).as("nothing planted wrote into it").isEmpty();
            assertThat(next.stderr()).isEmpty();
            assertThat(toolCalls.get()).as("no tool was called in its name").isEqualTo(callsBefore);
        }

        @Test
        void reflectionIntoTheWorkerIsRefused() {
            SecureSessionPool p = pool(false);
            ExecutionResult r = p.execute(REFLECT, T);
            assertThat(r.error()).as("%s", r).isEmpty();
            assertThat(r.value()).isEqualTo(REFUSED);
            ExecutionResult named = p.execute(WORKER + ".class", T);
            assertThat(named.error().orElseThrow().kind()).as("%s", named).isEqualTo(Kind.COMPILE_ERROR);
            assertThat(named.error().orElseThrow().message()).contains("not visible");
            nextCallerGetsItsOwnTrueResult(p);
        }

        @Test
        void aPlantedTaskCannotForgeTheNextCallersResult() {
            SecureSessionPool p = pool(false);
            ExecutionResult r = p.execute(PLANT, T);
            assertThat(r.value()).as("%s", r).isEqualTo("\"stopper:refused evalThread:refused preparer:refused\"");
            nextCallerGetsItsOwnTrueResult(p);
            nextCallerGetsItsOwnTrueResult(p);
        }

        @Test
        void aPlantedTaskCannotForgeTheNextCallersResultWithResetBetweenUses() {
            SecureSessionPool p = pool(true);
            ExecutionResult r = p.execute(PLANT, T);
            assertThat(r.value()).as("%s", r).isEqualTo("\"stopper:refused evalThread:refused preparer:refused\"");
            nextCallerGetsItsOwnTrueResult(p);
            nextCallerGetsItsOwnTrueResult(p);
        }

        /**
         * A snippet can reach every thread object, the worker's too, and interrupt them: its own execution
         * and the next callers' must not notice (an interrupted blocking socket read or write used to close
         * the link; an interrupted preparation left the next caller a shell without {@code tools}).
         */
        @Test
        void interruptingTheWorkersThreadsCostsNobodyAnything() {
            SecureSessionPool p = pool(true);
            ExecutionResult r = p.execute("int hits = 0; for (int i = 0; i < 300; i++) { for (Thread w : Thread.getAllStackTraces().keySet()) {"
                    + " if (w.getName().startsWith(\"poolkit-\") && !w.getName().startsWith(\"poolkit-run\") || w.getName().equals(\"main\")) {"
                    + " w.interrupt(); hits++; } } Thread.sleep(1); } hits > 0", T);
            assertThat(r.value()).as("%s", r).isEqualTo("true");
            for (int i = 0; i < 3; i++) {
                ExecutionResult next = p.execute("tools.call(\"count\"); 6 * 7", T);
                assertThat(next.error()).as("%s", next).isEmpty();
                assertThat(next.value()).isEqualTo("42");
            }
            assertThat(p.stats().created()).as("the same worker throughout").isEqualTo(1);
        }

        /** Output and tool calls from a thread that outlives its execution reach nobody, even the session it ran in. */
        @Test
        void aFloodAfterTheResultReachesNobody() {
            SecureSessionPool p = pool(false);
            ExecutionResult r = p.execute("var t = new Thread(() -> { try { Thread.sleep(300); } catch (InterruptedException e) { }"
                    + " while (true) { System.out.print(\"x\"); System.err.print(\"y\"); try { tools.call(\"count\"); } catch (Throwable e) { } } });"
                    + " t.setDaemon(true); t.start(); 1", T);
            assertThat(r.error()).as("%s", r).isEmpty();
            nextCallerGetsItsOwnTrueResult(p);
            Await.until(Duration.ofSeconds(30), () -> p.status().idle() == 1 && p.status().starting() == 0, () -> "replaced: " + p);
            assertThat(p.stats().created()).as("the session with the leftover thread was replaced").isEqualTo(2);
        }
    }

    @Nested
    class Unsandboxed extends Attacks {
        @Override
        boolean sandboxed() {
            return false;
        }
    }

    @Nested
    class Sandboxed extends Attacks {
        @Override
        boolean sandboxed() {
            return true;
        }
    }
}
