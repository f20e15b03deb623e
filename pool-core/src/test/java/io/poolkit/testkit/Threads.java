package io.poolkit.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Runs a concurrent test body on its own threads, with a time limit; fails (after dumping every
 * thread's stack) if any thread is still running at the limit, and rethrows the first failure.
 */
public final class Threads {
    private Threads() {
    }

    public interface Body {
        void run(int index) throws Exception;
    }

    public static void run(int count, Duration limit, Body body) throws InterruptedException {
        run(count, limit, false, body);
    }

    public static void run(int count, Duration limit, boolean virtual, Body body) throws InterruptedException {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            Runnable r = () -> {
                try {
                    body.run(index);
                } catch (Throwable t) {
                    failures.add(t);
                }
            };
            threads.add(virtual ? VirtualThreads.start(r) : start(r, "test-worker-" + i));
        }
        long deadline = System.nanoTime() + limit.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, left / 1_000_000));
            }
            if (t.isAlive()) {
                dumpThreads();
                throw new AssertionError("thread " + t.getName() + " still running after " + limit + " (stacks dumped above)");
            }
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " thread(s) failed; first: " + failures.peek(), failures.peek());
            failures.stream().skip(1).limit(5).forEach(e::addSuppressed);
            throw e;
        }
    }

    private static Thread start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    public static void dumpThreads() {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            StringBuilder b = new StringBuilder("\"" + e.getKey().getName() + "\" " + e.getKey().getState() + "\n");
            for (StackTraceElement el : e.getValue()) {
                b.append("    at ").append(el).append('\n');
            }
            System.err.print(b);
        }
    }

    /** Virtual threads through reflection, so this kit compiles with --release 17. */
    static final class VirtualThreads {
        static Thread start(Runnable r) {
            try {
                return (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("virtual threads need JDK 21+", e);
            }
        }
    }
}
