package io.poolkit.session.internal.worker;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.In;
import io.poolkit.session.internal.wire.Out;
import io.poolkit.session.snippet.Tools;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The worker JVM's entry point: {@code WorkerMain <socket path>}, the one-time token on stdin,
 * launched from the module path as module {@code io.poolkit.session.worker}.
 *
 * <p>Start-up: raise its own {@code oom_score_adj} (the OOM killer takes a worker before anything
 * else), read the token, connect, warm JShell up, route {@code System.out}/{@code err} into the
 * capture, then send HELLO with the token (the host waits for it, bounded by its start timeout).
 * Then the main thread reads frames from the host, one thread evaluates, and STOP is handled on
 * the reader, so it reaches a running snippet. When the host goes away the worker halts (no
 * shutdown hooks: a snippet's hook must not delay the exit).
 *
 * <p>Snippets cannot reach any of this (DESIGN "Two trust boundaries"): the module exports only
 * {@code io.poolkit.session.snippet} and opens nothing, so the link, the executions and the
 * executors here are out of reflection's reach. Each execution runs on a thread of its own, started
 * for it and joined before its RESULT is sent: snippet code (a value's {@code toString()} included)
 * never runs on a thread the worker keeps, so nothing a snippet does to a thread (its context class
 * loader, its handler, its name) outlives the execution. Every thread the execution's thread starts
 * carries the execution ({@link Run#OWNER}); output and tool calls from any other thread (a JDK 17
 * finalizer, a leftover thread) are dropped or refused, never charged to the next caller. Worker
 * threads catch everything and halt the worker on what they cannot handle: a worker that cannot
 * report truthfully ends, and the host replaces it.
 *
 * <p>Uses nothing but the JDK: these classes run from a read-only copy inside the sandbox.
 */
public final class WorkerMain {
    private static final PrintStream DIAG = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    /**
     * The status the worker exits with when a snippet calls {@code System.exit}, whatever status it
     * gave: a snippet's {@code System.exit(3)} must not look like the JVM's exit on an
     * OutOfMemoryError (status 3, which the host reports as a limit).
     */
    static final int SNIPPET_EXIT = 70;
    /**
     * The status the worker halts with when it cannot go on (a protocol error, one of its threads
     * failed): never 3, which a JVM with {@code -XX:+ExitOnOutOfMemoryError} uses and the host reports
     * as a memory limit.
     */
    static final int WORKER_FAILED = 71;
    /** The modules snippets may compile against: the JVM's own set ({@code --limit-modules}), passed by the host. */
    private static final String LIMIT_MODULES_PROPERTY = "poolkit.session.modules";
    /** Set by the host when the worker runs in the sandbox, where its pid namespace, /tmp and all else are its own. */
    static final String SANDBOXED_PROPERTY = "poolkit.session.sandboxed";

    private final Link link;
    private final Bridge bridge = new Bridge(this);
    private final ExecutorService evalThread = Executors.newSingleThreadExecutor(r -> daemon(guarded(r), "poolkit-eval"));
    private final ScheduledThreadPoolExecutor stopper = new ScheduledThreadPoolExecutor(1, r -> daemon(guarded(r), "poolkit-stopper"));
    private final ThreadPoolExecutor preparer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            r -> daemon(guarded(r), "poolkit-preparer"));
    private volatile Evaluator evaluator;
    private final Capture out = new Capture(this, 1);
    private final Capture err = new Capture(this, 2);
    private volatile Run current;
    private PrintStream stdout;
    private PrintStream stderr;
    private JvmState clean;
    /** The check of what an execution leaves reachable past the reset; null in a worker the host does not reset. */
    private RetainedResources retained;
    /** Read at start, before any snippet could change the property. */
    private final boolean sandboxed = Boolean.getBoolean(SANDBOXED_PROPERTY);

    private WorkerMain(Link link) {
        this.link = link;
        // started now, so no run sees them as threads it left behind
        stopper.prestartAllCoreThreads();
        preparer.prestartAllCoreThreads();
        evalThread.execute(() -> { });
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            DIAG.println("usage: WorkerMain <socket path> (token on stdin)");
            halt(2, "bad arguments");
        }
        raiseOomScore();
        // runs first on any System.exit (the worker itself only ever halts): the status becomes ours, and
        // the snippet's own hooks get no time to run
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(SNIPPET_EXIT), "poolkit-exit"));
        String token = readToken(System.in);
        System.setIn(new ByteArrayInputStream(new byte[0]));
        JvmState.preemptFactories();
        NativeGuard guard = NativeGuard.install(); // JDK 17 to 23: no native library for snippet code (JDK 24+: a flag)
        if (Runtime.version().feature() < 18) { // JDK 17 has no --finalization=disabled: the finalizer thread is held instead
            Thread finalizer = FinalizerTrap.take(10_000);
            if (finalizer == null || guard == null) {
                halt(2, "the finalizer thread was not taken within 10 s");
            }
            guard.hold(finalizer);
        }
        // the thread that calls memory-notification listeners after a collection: held, so no snippet's listener
        // runs during a later caller's execution
        Thread notifications = NotificationTrap.needed() ? NotificationTrap.take(10_000) : null;
        if (NotificationTrap.needed() && notifications == null) {
            halt(2, "the notification thread was not taken within 10 s");
        }
        if (guard != null && notifications != null) {
            guard.hold(notifications);
        }
        LiveThreads.init(); // before any snippet: the leftover-thread rule's second listing
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(args[0]));
        WorkerMain w = new WorkerMain(new Link(ch));
        Tools.install(w.bridge);
        String modulePath = System.getProperty("jdk.module.path");
        String module = WorkerMain.class.getModule().getName();
        if (modulePath == null || module == null) {
            halt(2, "the worker must run from the module path as a named module (java -p DIR -m MODULE/CLASS)");
        }
        List<String> limit = List.of(System.getProperty(LIMIT_MODULES_PROPERTY, "java.se,jdk.jshell").split(","));
        w.evaluator = new Evaluator(modulePath, module, limit, w.preparer);
        w.stdout = new PrintStream(w.out, true, StandardCharsets.UTF_8);
        w.stderr = new PrintStream(w.err, true, StandardCharsets.UTF_8);
        System.setOut(w.stdout);
        System.setErr(w.stderr);
        w.clean = new JvmState();
        if (RetainedResources.enabled()) {
            // the first caller gets a shell the preparer made, as every later one does: a shell made on this thread
            // stays reachable after it is closed (JDK 17 and 25: seen as the first execution's state surviving the
            // drop), and this thread makes no other
            w.evaluator.prepareNext();
            w.evaluator.reset();
            w.evaluator.prepareNext();
            w.retained = RetainedResources.atStart(w.sandboxed); // its baseline: after the warm-up, with the next shell ready, before any snippet
        }
        w.link.send(Frame.HELLO, new Out().writeString(token).writeInt(Frame.PROTOCOL_VERSION)
                .writeString(System.getProperty("java.version", "?")).writeLong(ProcessHandle.current().pid()));
        try {
            w.loop();
        } catch (Throwable t) {
            halt(WORKER_FAILED, "the reader failed: " + t);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * A task for one of the worker's threads, which first puts back what a snippet may have changed on
     * that thread object (it can reach every thread through {@code Thread.getAllStackTraces()}): its
     * context class loader (else JDK code on the thread would load through the snippet's loader), its
     * uncaught-exception handler, its priority and its interrupt.
     */
    static Runnable task(Runnable r) {
        return () -> {
            Thread t = Thread.currentThread();
            t.setContextClassLoader(WorkerMain.class.getClassLoader());
            t.setUncaughtExceptionHandler(null);
            t.setPriority(Thread.NORM_PRIORITY);
            Thread.interrupted();
            r.run();
        };
    }

    /** A worker thread's body: anything it throws (a ThreadDeath a snippet sent it on JDK 17) ends the worker. */
    static Runnable guarded(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (Throwable t) {
                halt(WORKER_FAILED, "worker thread " + Thread.currentThread().getName() + " failed: " + t);
            }
        };
    }

    static void halt(int status, String why) {
        DIAG.println("poolkit worker: " + why);
        Runtime.getRuntime().halt(status);
    }

    /** Unsandboxed; in the sandbox the launching shell raised it for the whole tree (this process is not dumpable, so cannot). */
    private static void raiseOomScore() {
        try {
            Path adj = Path.of("/proc/self/oom_score_adj");
            if (!Files.readString(adj).strip().equals("1000")) {
                Files.writeString(adj, "1000");
            }
        } catch (IOException | UnsupportedOperationException e) {
            DIAG.println("poolkit worker: could not raise oom_score_adj: " + e);
        }
    }

    private static String readToken(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0 || b.length() > 256) {
                halt(2, "no token on stdin");
            }
            b.append((char) c);
        }
        return b.toString();
    }

    Link link() {
        return link;
    }

    Run current() {
        return current;
    }

    /** @return the running execution when the calling thread belongs to it (started by it), else null */
    Run runOfThisThread() {
        Run r = Run.OWNER.get();
        return r != null && r == current ? r : null;
    }

    /** Asks the running snippet to stop, now and twice more shortly after (a stop can land between two snippets). */
    void stopFor(Run r, int reason) {
        if (!r.requestStop(reason)) {
            return;
        }
        for (long delay : new long[] {0, 50, 200}) {
            stopper.schedule(task(() -> {
                if (current == r) {
                    evaluator.stop();
                }
            }), delay, TimeUnit.MILLISECONDS);
        }
    }

    private void loop() {
        for (;;) {
            Frame f;
            try {
                f = link.read();
            } catch (IOException e) {
                halt(0, "the host closed the link");
                return;
            }
            try {
                In in = f.in();
                switch (f.type()) {
                    case Frame.EXECUTE: {
                        long id = in.readLong();
                        String code = in.readString();
                        int maxOutput = in.readInt();
                        int maxToolCalls = in.readInt();
                        in.end();
                        if (current != null) {
                            halt(WORKER_FAILED, "protocol: EXECUTE while another execution runs");
                        }
                        Run r = new Run(id, code, maxOutput, maxToolCalls);
                        current = r;
                        evalThread.execute(task(() -> execute(r)));
                        break;
                    }
                    case Frame.STOP: {
                        long id = in.readLong();
                        in.end();
                        Run r = current;
                        if (r != null && r.id == id) {
                            stopFor(r, Run.STOPPED);
                        }
                        break;
                    }
                    case Frame.TOOL_RESULT:
                        bridge.complete(in);
                        break;
                    case Frame.RESET:
                        in.end();
                        evalThread.execute(task(this::reset));
                        break;
                    case Frame.TOOLS: {
                        int n = in.readCount(10_000, "tool count");
                        List<String[]> tools = new ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            String name = in.readString();
                            String description = in.readString();
                            int k = in.readCount(1_000, "parameter count");
                            String[] t = new String[k + 2];
                            t[0] = name;
                            t[1] = description;
                            for (int j = 0; j < k; j++) {
                                t[j + 2] = in.readString();
                            }
                            tools.add(t);
                        }
                        in.end();
                        bridge.setTools(tools);
                        break;
                    }
                    default:
                        halt(WORKER_FAILED, "protocol: unknown frame type " + f.type());
                }
            } catch (IOException e) {
                halt(WORKER_FAILED, "protocol: " + e.getMessage());
            }
        }
    }

    /** A fresh JShell, and the JVM-wide settings a snippet may have changed put back as they were. */
    private void reset() {
        // new streams over the same captures: a snippet may have closed the old ones (a closed PrintStream stays mute)
        stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        System.setOut(stdout);
        System.setErr(stderr);
        System.setIn(new ByteArrayInputStream(new byte[0]));
        clean.restore();
        evaluator.reset();
    }

    /** What the reset that follows an execution drops, dropped now: the JShell state and the JVM-wide settings. */
    private void dropState() {
        clean.restore();
        evaluator.drop();
    }

    private void execute(Run r) {
        // each execution starts with new streams of the worker's own and no snippet's default handler: one
        // left by an earlier execution (reset or not; closed, wrapped, or locked by a leftover thread)
        // would see or change this one's output
        stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        System.setOut(stdout);
        System.setErr(stderr);
        System.setIn(new ByteArrayInputStream(new byte[0]));
        Thread.setDefaultUncaughtExceptionHandler(null);
        Set<Thread> before = liveThreads();
        long[] beforeIds = LiveThreads.ids();
        Outcome[] outcome = new Outcome[1];
        // a thread of its own for each execution: whatever snippet code does to the thread it runs on dies with it
        Thread runner = new Thread(() -> {
            Run.OWNER.set(r);
            try {
                outcome[0] = evaluator.run(r);
            } catch (Throwable e) {
                outcome[0] = Outcome.error(Outcome.INTERNAL, e.getClass().getName(), "the worker failed: " + e, "");
            } finally {
                flushQuietly(System.out); // the snippet's own streams (null, closed, throwing): flushed on its own thread
                flushQuietly(System.err);
            }
        }, "poolkit-run-" + r.id);
        runner.setDaemon(true);
        runner.start();
        joinUninterruptibly(runner);
        Outcome o = outcome[0] != null ? outcome[0] : Outcome.error(Outcome.INTERNAL, "", "the execution's thread ended without an outcome", "");
        if (r.stopReason() != Run.RUNNING && o.status == Outcome.OK) {
            o = Outcome.error(Outcome.STOPPED, "", "stopped", "");
        }
        Out result;
        try {
            stdout.flush();
            stderr.flush();
            out.drain(r);
            err.drain(r);
            String leftover = leftovers(before, beforeIds, sandboxed);
            if (leftover.isEmpty() && retained != null && r.stopReason() == Run.RUNNING) {
                String held = retained.check(this::dropState); // told like a leftover thread: the host retires the worker
                leftover = held != null ? held : leftover;
            }
            // within the host's caps (Execution.result), whatever the snippet put in its exception or thread names
            result = new Out().writeLong(r.id).writeByte(o.status).writeString(cut(o.value, Evaluator.MAX_VALUE_CHARS + 100))
                    .writeString(cut(o.errorClass, 300)).writeString(cut(o.message, MAX_TEXT_CHARS))
                    .writeString(cut(o.stackTrace, MAX_TEXT_CHARS)).writeString(cut(leftover, 1300));
        } catch (Throwable e) {
            result = new Out().writeLong(r.id).writeByte(Outcome.INTERNAL).writeString("")
                    .writeString(cut(e.getClass().getName(), 300)).writeString("the worker failed to report the result")
                    .writeString("").writeString("");
        }
        current = null; // from here on output and tool calls of this run's threads are dropped
        link.send(Frame.RESULT, result);
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        for (;;) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // only a snippet interrupts a worker thread: finish the join all the same
            }
        }
        if (interrupted) {
            Thread.interrupted();
        }
    }

    /** Longest exception message and stack trace sent, in characters (at most 3 bytes each: the frame cap is 1 MiB). */
    static final int MAX_TEXT_CHARS = 64 * 1024;

    /** {@code text} cut to {@code max} characters (each at most 3 UTF-8 bytes), saying so. */
    static String cut(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max - 20) + "... (cut)";
    }

    private static void flushQuietly(PrintStream s) {
        try {
            if (s != null) {
                s.flush();
            }
        } catch (Throwable e) {
            // the snippet's stream: nothing of ours to lose
        }
    }

    /** Whether a stack has a frame of a snippet's class (JShell defines them in the package REPL). */
    private static boolean runsSnippetCode(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            if (f.getClassName().startsWith("REPL.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The processes a snippet may have left, other than the worker. In the sandbox every process of its pid
     * namespace but the worker and its init: a child that started a process and exited leaves that one
     * re-parented to the init, no descendant of the worker, yet beside the next caller (its /tmp, its
     * signals). Unsandboxed, the worker's descendants: one re-parented outside cannot be told from the host's.
     */
    static Stream<ProcessHandle> otherProcesses(boolean sandboxed) {
        ProcessHandle self = ProcessHandle.current();
        if (!sandboxed) {
            return self.descendants().filter(ProcessHandle::isAlive);
        }
        Set<Long> ancestors = new HashSet<>(); // the sandbox's init: its own parent is outside the namespace, not seen
        Optional<ProcessHandle> up = self.parent();
        while (up.isPresent() && ancestors.add(up.get().pid())) {
            up = up.get().parent();
        }
        return ProcessHandle.allProcesses().filter(p -> p.pid() != self.pid() && !ancestors.contains(p.pid()) && p.isAlive());
    }

    /** The platform threads started and not yet ended, as one listing (every thread group's reached from the root). */
    private static List<Thread> allThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        for (;;) {
            Thread[] threads = new Thread[root.activeCount() * 2 + 16];
            int n = root.enumerate(threads, true);
            if (n < threads.length) {
                return Arrays.asList(threads).subList(0, n);
            }
        }
    }

    private static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /**
     * Threads and processes the run started that are still alive after a short grace, and snippet work that may
     * be pending on an executor the JDK shares ({@link SharedExecutors}): they could watch the next caller.
     */
    private static String leftovers(Set<Thread> before, long[] beforeIds, boolean sandboxed) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        List<String> names = new ArrayList<>();
        Thread self = Thread.currentThread();
        for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
            Thread t = entry.getKey();
            if (before.contains(t)) {
                // a thread that was there before but now runs snippet code: the Finalizer on a finalize(), a pool's worker
                if (t != self && runsSnippetCode(entry.getValue())) {
                    names.add("snippet code on thread '" + t.getName() + "'");
                }
                continue;
            }
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                names.add("thread '" + t.getName() + "'");
            }
        }
        // listed again once the grace is over: a thread that ended in it may have started another (a relay of
        // short-lived threads, each starting the next), which the first listing could not show. From one snapshot
        // of the JVM's thread list (LiveThreads), where the relay always has a link; by the thread groups only
        // without java.management (a snippet can hide a group from them on JDK 17 and 18)
        List<String> started = LiveThreads.startedSince(beforeIds);
        if (started == null) {
            started = new ArrayList<>();
            for (Thread t : allThreads()) {
                if (!before.contains(t)) {
                    started.add("thread '" + t.getName() + "'");
                }
            }
        }
        for (String s : started) {
            if (!names.contains(s)) {
                names.add(s);
            }
        }
        names.addAll(SharedExecutors.pending(before));
        String provider = JvmState.snippetProvider();
        if (provider != null) {
            names.add(provider);
        }
        otherProcesses(sandboxed).limit(10).forEach(p -> names.add("process " + p.pid()));
        return String.join(", ", names.subList(0, Math.min(names.size(), 10)))
                + (names.size() > 10 ? " and " + (names.size() - 10) + " more" : "");
    }
}
