package io.poolkit.examples;

import io.poolkit.session.ExecutionResult;
import io.poolkit.session.Language;
import io.poolkit.session.SecureSession;
import io.poolkit.session.SecureSessionPool;
import io.poolkit.session.SessionPoolStatus;
import io.poolkit.session.SessionStartException;
import io.poolkit.session.Tool;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool of sandboxed code-execution sessions with a host tool: the snippet (generated code, a
 * user's formula) runs in a JShell worker under bubblewrap, and calls back into the host through
 * {@code tools.call(..)}, the only way out of its sandbox. {@link #runPython} does the same with
 * the code an agent writes: Python, calling the host tool as a plain function.
 */
public final class SessionExample {
    private static final Duration RUN = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private SessionExample() {
    }

    /**
     * Why a sandboxed session cannot start here, or {@code null} when it can. The examples never fall
     * back silently: without a sandbox they say so, and why, before they run anything.
     */
    static String sandboxProblem() {
        try (SecureSession probe = SecureSession.builder().name("sandbox-probe").sandbox(true).start()) {
            return probe.isAlive() ? null : "a sandboxed worker died at start";
        } catch (SessionStartException e) { // SandboxUnavailableException among them
            return e.getMessage();
        }
    }

    static boolean sandboxAvailable() {
        String problem = sandboxProblem();
        if (problem != null) {
            System.out.println("No sandbox here (" + problem + "): the session examples run UNSANDBOXED, sandbox(false)");
        }
        return problem == null;
    }

    public static void main(String[] args) throws Exception {
        boolean sandbox = sandboxAvailable();
        run(System.out, sandbox);
        if (pythonAvailable()) {
            runPython(System.out, sandbox);
        } else {
            System.out.println("No " + PYTHON + " here: the Python example is skipped (apt-get install python3)");
        }
    }

    /** Debian's python3, which Python sessions use unless told otherwise. */
    static final java.nio.file.Path PYTHON = java.nio.file.Path.of("/usr/bin/python3");

    static boolean pythonAvailable() {
        return java.nio.file.Files.isExecutable(PYTHON);
    }

    /**
     * LLM-style Python that calls a host tool, in a pool of sandboxed Python sessions; returns its value.
     * The tool is a plain function in the snippet ({@code lookup(id=42)}), or {@code tools.call("lookup", id=42)}.
     */
    public static String runPython(PrintStream out, boolean sandbox) {
        Map<Long, String> users = Map.of(42L, "Ada Lovelace", 7L, "Alan Turing");
        Tool lookup = Tool.of("lookup", "find a user's name by id", List.of("id"), args -> users.get(args.get("id")));
        String code = """
                names = [lookup(id=i) for i in (42, 7)]
                print("looked up", len(names), "users")
                {n.split()[0]: len(n) for n in names if n}
                """;
        try (SecureSessionPool sessions = SecureSessionPool.builder().name("python").language(Language.PYTHON).size(2)
                .sandbox(sandbox).tools(lookup).build()) {
            ExecutionResult r = sessions.execute(code, RUN, WAIT);
            out.printf("python returned %s and printed \"%s\" in %d ms (sandbox %s)%n", r.value(), r.stdout().strip(),
                    r.duration().toMillis(), sandbox ? "on" : "OFF");
            return r.value();
        }
    }

    /** Runs a snippet that calls a host tool; returns its value. */
    public static String run(PrintStream out, boolean sandbox) {
        Map<Long, String> users = Map.of(42L, "Ada Lovelace", 7L, "Alan Turing"); // whole numbers arrive as Long
        Tool lookup = Tool.of("lookup", "find a user's name by id", List.of("id"), args -> users.get(args.get("id")));
        try (SecureSessionPool sessions = SecureSessionPool.builder().name("sessions").size(2).sandbox(sandbox)
                .tools(lookup).build()) {
            ExecutionResult r = sessions.execute("((String) tools.call(\"lookup\", \"id\", 42)).toUpperCase()", RUN, WAIT);
            out.printf("snippet returned %s in %d ms (sandbox %s)%n", r.value(), r.duration().toMillis(), sandbox ? "on" : "OFF");
            SessionPoolStatus st = sessions.status();
            out.println("status: " + st);
            return r.value();
        }
    }

    /** The demo's stage: 16 snippets, a fresh session each (cold start) vs a pre-warmed pool of 2. */
    static Demo.Row demoStage(Demo.Progress progress) {
        String problem = sandboxProblem();
        boolean sandbox = problem == null;
        progress.say("pool-session: Java snippets in " + (sandbox ? "sandboxed" : "UNSANDBOXED (" + problem + ")")
                + " JShell workers (a cold worker is a new JVM)");
        int total = progress.steps(16);
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            try (SecureSession s = SecureSession.builder().name("cold").sandbox(sandbox).start()) {
                check(s.execute(i + " * 2", RUN), i);
            }
            progress.update("unpooled snippets (a new worker each)", done.incrementAndGet(), total);
        }
        long unpooled = (System.nanoTime() - start) / 1_000_000;
        done.set(0);
        start = System.nanoTime();
        String stats;
        try (SecureSessionPool pool = SecureSessionPool.builder().name("warm").size(2).sandbox(sandbox).build()) {
            for (int i = 0; i < total; i++) {
                check(pool.execute(i + " * 2", RUN, WAIT), i);
                progress.update("pooled snippets (pre-warmed workers)", done.incrementAndGet(), total);
            }
            stats = "started " + pool.stats().created() + " workers for " + total + " snippets (unpooled: " + total
                    + "), sandbox " + (sandbox ? "on" : "OFF");
        }
        long pooled = (System.nanoTime() - start) / 1_000_000;
        return new Demo.Row("pool-session", total + " snippets, one caller", unpooled, pooled, stats);
    }

    /** The demo's Python stage: 16 snippets, a fresh Python worker each (cold start) vs a pre-warmed pool of 2. */
    static Demo.Row pythonDemoStage(Demo.Progress progress) {
        String problem = sandboxProblem();
        boolean sandbox = problem == null;
        progress.say("pool-session: Python snippets in " + (sandbox ? "sandboxed" : "UNSANDBOXED (" + problem + ")")
                + " CPython workers (a cold worker is a new interpreter)");
        int total = progress.steps(16);
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            try (SecureSession s = SecureSession.builder().name("cold-py").language(Language.PYTHON).sandbox(sandbox).start()) {
                check(s.execute(i + " * 2", RUN), i);
            }
            progress.update("unpooled snippets (a new worker each)", done.incrementAndGet(), total);
        }
        long unpooled = (System.nanoTime() - start) / 1_000_000;
        done.set(0);
        start = System.nanoTime();
        String stats;
        try (SecureSessionPool pool = SecureSessionPool.builder().name("warm-py").language(Language.PYTHON).size(2).sandbox(sandbox)
                .build()) {
            for (int i = 0; i < total; i++) {
                check(pool.execute(i + " * 2", RUN, WAIT), i);
                progress.update("pooled snippets (pre-warmed workers)", done.incrementAndGet(), total);
            }
            stats = "started " + pool.stats().created() + " Python workers for " + total + " snippets (unpooled: " + total
                    + "), sandbox " + (sandbox ? "on" : "OFF");
        }
        long pooled = (System.nanoTime() - start) / 1_000_000;
        return new Demo.Row("pool-session (Python)", total + " snippets, one caller", unpooled, pooled, stats);
    }

    private static void check(ExecutionResult r, int i) {
        if (!r.isSuccess() || !String.valueOf(i * 2).equals(r.value())) {
            throw new IllegalStateException("snippet failed: " + r);
        }
    }
}
