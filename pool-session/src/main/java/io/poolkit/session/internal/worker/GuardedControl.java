package io.poolkit.session.internal.worker;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import jdk.jshell.spi.SPIResolutionException;

/**
 * JShell's local execution engine, with every throwable of a snippet turned into a report defensively.
 *
 * <p>Why: the JDK's engine describes a snippet's exception by calling its {@code getMessage()} and
 * walking its causes recursively, and renders the value with {@code toString()} and then flushes
 * {@code System.out} — all snippet code or snippet state. A message that throws, a cyclic cause
 * chain (a stack overflow), a value whose {@code toString()} throws or a {@code null System.out}
 * escaped as an engine failure or an empty success. Here each of those is the snippet's
 * exception: the class, a message read once with its own failure caught, at most
 * {@link #MAX_CAUSES} causes with cycles cut, stack traces copied and capped. A {@code ThreadDeath}
 * the snippet threw itself is an exception too; only a stop the worker asked for is a stop.
 *
 * <p>The snippet still runs on the engine's own thread per invocation (which {@code JShell.stop()}
 * reaches on every JDK), and the value is rendered on the thread that called {@code eval}: the
 * worker's per-execution thread, never one of its long-lived threads.
 *
 * <p>The engine waits for every thread of the invocation's thread group that it finds right after it
 * started the snippet's thread, and threads inherit their creator's group. A thread the snippet
 * started at once (the common pool's delay scheduler that {@code CompletableFuture.delayedExecutor}
 * starts on first use, which never ends) was found there when the engine's thread lost the CPU
 * between the start and that look: the engine then waited for it for good, and the execution came
 * back as a timeout (SnippetIsolationTest, once in four CI runs on JDK 25 under load). So the
 * snippet's thread runs a gate first, which lets snippet code start only once the engine's thread
 * waits, that is, once the engine has listed what it waits for: the snippet's thread alone.
 */
final class GuardedControl extends LocalExecutionControl {
    static final int MAX_CAUSES = 8;
    static final int MAX_FRAMES = 64;
    static final int MAX_MESSAGE_CHARS = 16 * 1024;

    /** How long the gate waits at most for the engine's thread to wait (it takes microseconds; a starved CPU may take longer). */
    private static final long GATE_BOUND_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The invocation the engine's snippet thread is about to run: set on the calling thread, which creates that thread. */
    private static final InheritableThreadLocal<Invocation> INVOCATION = new InheritableThreadLocal<>();
    private static final Method GATE;

    static {
        try {
            GATE = GuardedControl.class.getDeclaredMethod("gate");
            GATE.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private record Invocation(Method doit, Thread engine) {
    }

    private volatile boolean stopRequested;

    /** Plugs this engine into {@code JShell.builder().executionEngine(..)}. */
    static final class Provider implements ExecutionControlProvider {
        @Override
        public String name() {
            return "poolkit-guarded";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return new GuardedControl();
        }
    }

    @Override
    public void stop() throws EngineTerminationException, InternalException {
        stopRequested = true;
        super.stop();
    }

    @Override
    public String invoke(String className, String methodName) throws RunException, InternalException, EngineTerminationException {
        Method doit;
        try {
            doit = findClass(className).getDeclaredMethod(methodName);
            doit.setAccessible(true);
        } catch (Throwable t) {
            throw new InternalException("cannot find the snippet's code: " + describe(t));
        }
        stopRequested = false;
        INVOCATION.set(new Invocation(doit, Thread.currentThread()));
        try {
            clientCodeEnter();
            String value = invoke(GATE);
            return value != null ? value : "null"; // a toString() that returned null: JShell would fail on it, not the snippet
        } catch (StoppedException e) {
            if (stopRequested) {
                throw e;
            }
            throw thrownThreadDeath(); // the snippet threw ThreadDeath itself: nobody asked for a stop
        } catch (RunException | InternalException | EngineTerminationException e) {
            throw e;
        } catch (InvocationTargetException e) {
            throw asRunException(e.getCause());
        } catch (InterruptedException e) {
            // the engine's wait for the snippet's thread was interrupted, by the snippet itself: its thread
            // may run on (the worker reports it as left over, and the session is not used again)
            throw new UserException("the snippet interrupted the worker's thread that waits for it", InterruptedException.class.getName(),
                    frames(e));
        } catch (Throwable t) { // rendering the value: its toString() threw, or it is too large or too deep to show
            throw valueFailure(t);
        } finally {
            INVOCATION.remove();
            clientCodeLeave();
        }
    }

    /**
     * The body of the engine's snippet thread: waits until the engine's thread waits (for this thread,
     * the only one it listed), then runs the snippet. What the snippet throws is thrown as it is, so the
     * engine sees the same exception (and a stop the same ThreadDeath) as without the gate.
     */
    @SuppressWarnings("unused") // called by the engine through GATE
    private static Object gate() throws Throwable {
        Invocation i = INVOCATION.get();
        INVOCATION.remove(); // threads the snippet starts inherit nothing of the worker's
        if (i == null) {
            throw new IllegalStateException("the snippet gate ran outside an invocation");
        }
        awaitWaiting(i.engine(), GATE_BOUND_NANOS);
        try {
            return i.doit().invoke(null);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Returns once {@code engine} waits (for the snippet's thread: between starting that thread and
     * joining it, the engine's thread only lists the group's threads), or after {@code boundNanos}.
     * An interrupt (a stop) does not end the wait: the snippet starts, and the stop reaches it there.
     */
    private static void awaitWaiting(Thread engine, long boundNanos) {
        long deadline = System.nanoTime() + boundNanos;
        for (int spins = 0;; spins++) {
            Thread.State s = engine.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.TERMINATED
                    || System.nanoTime() - deadline >= 0) {
                return;
            }
            if (spins < 200) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
    }

    private static RunException asRunException(Throwable t) {
        if (t instanceof SPIResolutionException r) {
            return new ResolutionException(r.id(), frames(r));
        }
        return userException(t);
    }

    private static UserException thrownThreadDeath() {
        return new UserException(null, "java.lang.ThreadDeath", new StackTraceElement[0]);
    }

    private static UserException valueFailure(Throwable t) {
        UserException cause = userException(t);
        UserException e = new UserException("the snippet's value could not be shown: " + className(t)
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), className(t), cause.getStackTrace());
        e.initCause(cause.getCause());
        return e;
    }

    /** The exception and its causes as the engine reports them: at most {@link #MAX_CAUSES}, a cycle cut where it closes. */
    static UserException userException(Throwable thrown) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = thrown; t != null && chain.size() <= MAX_CAUSES && seen.add(t); t = cause(t)) {
            chain.add(t);
        }
        UserException next = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Throwable t = chain.get(i);
            UserException u = new UserException(message(t), className(t), frames(t));
            if (next != null) {
                u.initCause(next);
            }
            next = u;
        }
        return next;
    }

    private static String className(Throwable t) {
        return t.getClass().getName(); // final: a snippet cannot override it
    }

    /** {@code t.getMessage()}, or what it threw instead; capped. */
    static String message(Throwable t) {
        String m;
        try {
            m = t.getMessage();
        } catch (Throwable e) {
            return "(its getMessage() threw " + className(e) + ")";
        }
        if (m != null && m.length() > MAX_MESSAGE_CHARS) {
            return m.substring(0, MAX_MESSAGE_CHARS) + "... (cut)";
        }
        return m;
    }

    private static Throwable cause(Throwable t) {
        try {
            return t.getCause();
        } catch (Throwable e) {
            return null;
        }
    }

    private static StackTraceElement[] frames(Throwable t) {
        StackTraceElement[] all;
        try {
            all = t.getStackTrace();
        } catch (Throwable e) {
            return new StackTraceElement[0];
        }
        if (all == null) {
            return new StackTraceElement[0];
        }
        List<StackTraceElement> kept = new ArrayList<>();
        for (int i = 0; i < all.length && kept.size() < MAX_FRAMES; i++) {
            if (all[i] != null) {
                if (all[i].getClassName().equals(GuardedControl.class.getName()) && all[i].getMethodName().equals("gate")) {
                    break; // below it: the engine's thread, not the snippet
                }
                kept.add(all[i]);
            }
        }
        return kept.toArray(new StackTraceElement[0]);
    }

    static String describe(Throwable t) {
        String m = message(t);
        return className(t) + (m == null ? "" : ": " + m);
    }
}
