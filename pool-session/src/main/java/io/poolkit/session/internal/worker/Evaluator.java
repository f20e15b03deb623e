package io.poolkit.session.internal.worker;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.Locale;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Evaluates snippets with jdk.jshell's local execution engine ({@link GuardedControl}), in this JVM.
 * Snippets are compiled against the worker's module on the module path, which exports only the
 * {@code tools} API: a snippet naming a worker class does not compile, and reflection into one
 * fails. Not thread-safe: one thread at a time evaluates or resets; {@link #stop()} may be called
 * from any thread.
 */
final class Evaluator {
    /** Values longer than this many characters are cut (the frame cap is 1 MiB). */
    static final int MAX_VALUE_CHARS = 64 * 1024;
    private static final int MAX_FRAMES = 30;
    /** How long {@link #drop()} and {@link #prepareNext()} wait for the preparer. */
    private static final long DROP_WAIT_SECONDS = 10;
    private static final String PRELUDE = "io.poolkit.session.snippet.Tools tools = io.poolkit.session.snippet.Tools.get();";
    /** The imports jshell's DEFAULT start-up gives, so snippets read as they would in jshell. */
    private static final List<String> IMPORTS = List.of("java.io.*", "java.math.*", "java.net.*", "java.nio.file.*", "java.util.*",
            "java.util.concurrent.*", "java.util.function.*", "java.util.regex.*", "java.util.stream.*");

    /**
     * Stands in for a {@code System.err} a snippet set to null: javac, which JShell runs for the next
     * snippet, wraps {@code System.err} and fails on null (the worker failed, and the execution came back
     * as a dead session). Snippet code using it still gets its NullPointerException.
     */
    private static final PrintStream NULL_ERR = new PrintStream(new OutputStream() {
        @Override
        public void write(int b) {
            throw new NullPointerException("System.err is null: the snippet set it to null");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            throw new NullPointerException("System.err is null: the snippet set it to null");
        }
    });

    private final List<String> compilerOptions;
    private final ThreadPoolExecutor preparer;
    private volatile JShell shell;
    private SourceCodeAnalysis analysis;
    /** The next fresh shell, prepared in the background after the first reset, so a reset costs the caller nothing. */
    private CompletableFuture<JShell> next;
    /** Done when the shell the last reset dropped is closed (by the preparer, off the caller's time). */
    private CompletableFuture<Void> closing;

    /**
     * @param preparer the thread that prepares fresh shells and closes used ones (started before any
     *     run, so no run takes it for a thread of its own)
     */
    Evaluator(String modulePath, String module, List<String> limitModules, ThreadPoolExecutor preparer) {
        this.compilerOptions = List.of("--module-path", modulePath, "--add-modules", module,
                "--limit-modules", String.join(",", limitModules));
        this.preparer = preparer;
        install(fresh());
        warmUp();
    }

    /**
     * Runs the compiler and the engine once through a method, a class and an expression, then drops
     * those snippets again, so the first user snippet is as fast as the later ones.
     */
    private void warmUp() {
        for (String w : List.of("int $pkw(int a) { return a + 1; }", "record $Pkw(int v) {}", "$pkw(new $Pkw(1).v()) + List.of(1).size()")) {
            for (SnippetEvent e : shell.eval(w)) {
                if (e.causeSnippet() == null && e.snippet() instanceof jdk.jshell.PersistentSnippet) {
                    shell.drop(e.snippet());
                }
            }
        }
        shell.snippets().filter(s -> s.kind() == Snippet.Kind.VAR && s.source().contains("$pkw")).forEach(shell::drop);
    }

    /**
     * @return a new JShell compiling against the worker module, with the default imports and the
     *     {@code tools} variable, each checked: a snippet can interrupt the preparing thread (it sees
     *     every thread), and a half-prepared shell must not reach the next caller
     */
    private JShell fresh() {
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            Thread.interrupted();
            JShell s = JShell.builder().executionEngine(new GuardedControl.Provider(), java.util.Map.of())
                    .compilerOptions(compilerOptions.toArray(new String[0])).build();
            try {
                for (String i : IMPORTS) {
                    setUp(s, "import " + i + ";");
                }
                setUp(s, PRELUDE);
                return s;
            } catch (IllegalStateException e) {
                failure = e;
                s.close();
            }
        }
        throw failure;
    }

    private static void setUp(JShell s, String source) {
        for (SnippetEvent e : s.eval(source)) {
            if (e.causeSnippet() == null && (e.status() != Snippet.Status.VALID || e.exception() != null)) {
                throw new IllegalStateException("preparing a JShell failed at '" + source + "': " + e.status()
                        + (e.exception() == null ? "" : ", " + e.exception()));
            }
        }
    }

    private void install(JShell s) {
        analysis = s.sourceCodeAnalysis();
        shell = s;
    }

    /** A fresh state: a new JShell in this warm JVM (the one prepared in the background, when it is ready). */
    void reset() {
        JShell old = shell;
        shell = null;
        if (old != null) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            closing = done;
            preparer.execute(WorkerMain.task(() -> {
                try {
                    old.close();
                } finally {
                    done.complete(null);
                }
            }));
        }
        JShell s = null;
        if (next != null) {
            try {
                s = next.join();
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                s = null; // prepared in the background and failed (an interrupt): prepare it here instead
            }
        }
        install(s != null ? s : fresh());
        next = CompletableFuture.supplyAsync(this::fresh, r -> preparer.execute(WorkerMain.task(r)));
    }

    /**
     * Drops the current state now, ahead of the reset that follows (which then installs the next shell), so
     * {@link RetainedResources} measures without it: this shell is closed here, and the one the last reset handed
     * the preparer to close is waited for (closed long before, as a rule).
     */
    void drop() {
        JShell old = shell;
        shell = null;
        analysis = null;
        if (old != null) {
            old.close();
        }
        await(closing);
    }

    /**
     * Waits until the next shell is prepared and the dropped one closed: a worker that checks the heap an
     * execution retains measures its baseline with the shell the next reset installs already there.
     */
    void prepareNext() {
        if (next == null) {
            next = CompletableFuture.supplyAsync(this::fresh, r -> preparer.execute(WorkerMain.task(r)));
        }
        await(next);
        await(closing);
    }

    private static void await(CompletableFuture<?> f) {
        if (f == null) {
            return;
        }
        try {
            f.get(DROP_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                | java.util.concurrent.CancellationException e) {
            // measured without waiting: at worst a shell still closing counts, which can only retire the worker
        } catch (InterruptedException e) {
            Thread.interrupted(); // only a snippet interrupts a worker thread
        }
    }

    void stop() {
        JShell s = shell;
        if (s != null) {
            s.stop();
        }
    }

    Outcome run(Run run) {
        if (shell == null) { // dropped, and no reset came between (the host resets a worker it checks after each use)
            reset();
        }
        String rest = run.code;
        String value = "";
        while (!rest.isBlank()) {
            if (run.stopReason() != Run.RUNNING) {
                return stopped(run);
            }
            if (System.err == null) {
                System.setErr(NULL_ERR); // javac wraps System.err when JShell compiles the next snippet
            }
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            String source;
            switch (info.completeness()) {
                case EMPTY:
                    return done(value);
                case COMPLETE:
                case COMPLETE_WITH_SEMI:
                    source = info.source();
                    rest = info.remaining();
                    break;
                default: // incomplete or unknown: let the compiler say what is wrong
                    source = rest;
                    rest = "";
                    break;
            }
            List<SnippetEvent> events = shell.eval(source);
            if (run.stopReason() != Run.RUNNING) {
                return stopped(run);
            }
            if (events.isEmpty()) {
                return Outcome.error(Outcome.COMPILE_ERROR, "", "incomplete snippet: " + brief(source), "");
            }
            for (SnippetEvent e : events) {
                if (e.causeSnippet() != null) {
                    continue;
                }
                Snippet s = e.snippet();
                if (e.status() == Snippet.Status.REJECTED) {
                    return Outcome.error(Outcome.COMPILE_ERROR, "", diagnostics(s), "");
                }
                if (e.exception() != null) {
                    return exception(e.exception());
                }
                if (e.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                    return Outcome.error(Outcome.COMPILE_ERROR, "", "cannot define it until its references are declared: "
                            + unresolved(s) + diagnostics(s), "");
                }
                Snippet.Kind kind = s.kind();
                value = (kind == Snippet.Kind.EXPRESSION || kind == Snippet.Kind.VAR) && e.value() != null ? e.value() : "";
            }
        }
        return done(value);
    }

    private static Outcome done(String value) {
        Outcome o = new Outcome();
        o.value = value.length() > MAX_VALUE_CHARS
                ? value.substring(0, MAX_VALUE_CHARS) + "... (" + (value.length() - MAX_VALUE_CHARS) + " more characters cut)"
                : value;
        return o;
    }

    private static Outcome stopped(Run run) {
        return Outcome.error(Outcome.STOPPED, "", "stopped", "");
    }

    private String diagnostics(Snippet s) {
        StringBuilder b = new StringBuilder();
        shell.diagnostics(s).filter(Diag::isError).forEach(d -> {
            if (b.length() > 0) {
                b.append('\n');
            }
            b.append(d.getMessage(Locale.ROOT));
            String src = s.source();
            long start = d.getStartPosition();
            if (start >= 0 && start <= src.length()) {
                int lineStart = src.lastIndexOf('\n', (int) Math.max(0, start - 1)) + 1;
                int lineEnd = src.indexOf('\n', (int) start);
                String line = src.substring(lineStart, lineEnd < 0 ? src.length() : lineEnd);
                b.append("\n  at: ").append(brief(line));
            }
        });
        return b.length() == 0 ? "rejected: " + brief(s.source()) : b.toString();
    }

    private String unresolved(Snippet s) {
        if (s instanceof jdk.jshell.DeclarationSnippet d) {
            return String.join(", ", shell.unresolvedDependencies(d).toList()) + "\n";
        }
        return "";
    }

    private static Outcome exception(JShellException ex) {
        if (ex instanceof UnresolvedReferenceException u) {
            return Outcome.error(Outcome.EXCEPTION, "", "unresolved reference: " + brief(u.getSnippet().source()), "");
        }
        EvalException e = (EvalException) ex;
        String cls = e.getExceptionClassName();
        String msg = e.getMessage() == null ? cls : cls + ": " + e.getMessage();
        StringBuilder trace = new StringBuilder();
        appendTrace(trace, e, "");
        return Outcome.error(Outcome.EXCEPTION, cls, msg, trace.toString());
    }

    private static void appendTrace(StringBuilder b, Throwable t, String prefix) {
        int depth = 0;
        for (Throwable cur = t; cur != null && depth < 5; cur = cur.getCause(), depth++) {
            String cls = cur instanceof EvalException ee ? ee.getExceptionClassName() : cur.getClass().getName();
            b.append(depth == 0 ? prefix : "Caused by: ").append(cls);
            if (cur.getMessage() != null) {
                b.append(": ").append(cur.getMessage());
            }
            b.append('\n');
            StackTraceElement[] frames = cur.getStackTrace();
            for (int i = 0; i < frames.length && i < MAX_FRAMES; i++) {
                b.append("\tat ").append(frame(frames[i])).append('\n');
            }
            if (frames.length > MAX_FRAMES) {
                b.append("\t... ").append(frames.length - MAX_FRAMES).append(" more\n");
            }
        }
    }

    /** JShell reports snippet frames with the snippet id as file name; show them as jshell does, {@code (#N:line)}. */
    private static String frame(StackTraceElement f) {
        String file = f.getFileName();
        if (file != null && file.startsWith("#")) {
            String method = f.getMethodName();
            return (method == null || method.isEmpty() ? "" : method + " ") + "(" + file + ":" + f.getLineNumber() + ")";
        }
        return f.toString();
    }

    private static String brief(String s) {
        String t = s.strip();
        return t.length() > 120 ? t.substring(0, 120) + "..." : t;
    }
}
