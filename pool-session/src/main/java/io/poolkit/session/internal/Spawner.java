package io.poolkit.session.internal;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Starts every worker process from one long-lived platform thread.
 *
 * <p>Why: bubblewrap's {@code --die-with-parent} is {@code PR_SET_PDEATHSIG}, which the kernel fires
 * when the <em>thread</em> that forked the process exits, not the process. A worker started from a
 * pool's create thread, an executor or a virtual thread's carrier would be killed when that thread
 * ends. This thread never ends before the JVM does (a daemon, it then takes the workers with it,
 * which is the point of the flag).
 */
public final class Spawner {
    private record Request(ProcessBuilder builder, CompletableFuture<Process> result) {
    }

    private static final BlockingQueue<Request> QUEUE = new LinkedBlockingQueue<>();
    private static volatile Thread thread;

    private Spawner() {
    }

    /** @return the spawning thread, started on first use */
    public static Thread thread() {
        Thread t = thread;
        if (t == null) {
            synchronized (Spawner.class) {
                t = thread;
                if (t == null) {
                    t = new Thread(Spawner::loop, "poolkit-session-spawner");
                    t.setDaemon(true);
                    t.start();
                    thread = t;
                }
            }
        }
        return t;
    }

    /**
     * Starts {@code builder}'s process on the spawning thread and waits for it.
     *
     * @throws IOException what {@link ProcessBuilder#start()} threw
     * @throws InterruptedException when interrupted while waiting; a process that still starts is killed
     */
    public static Process spawn(ProcessBuilder builder) throws IOException, InterruptedException {
        Request r = new Request(builder, new CompletableFuture<>());
        thread();
        QUEUE.add(r);
        try {
            return r.result().get();
        } catch (InterruptedException e) {
            r.result().thenAccept(Processes::killTree);
            r.result().cancel(false);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("could not start " + builder.command().get(0) + ": " + e.getCause(), e.getCause());
        }
    }

    private static void loop() {
        for (;;) {
            Request r;
            try {
                r = QUEUE.take();
            } catch (InterruptedException e) {
                continue; // nobody may end this thread early: its workers would die with it
            }
            if (r.result().isDone()) {
                continue;
            }
            try {
                Process p = r.builder().start();
                if (!r.result().complete(p)) {
                    Processes.killTree(p); // the caller gave up meanwhile
                }
            } catch (IOException | RuntimeException e) {
                r.result().completeExceptionally(e);
            }
        }
    }
}
