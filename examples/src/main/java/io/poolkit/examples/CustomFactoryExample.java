package io.poolkit.examples;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolStats;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The custom-factory example: the same requests against a backend whose connections cost a
 * handshake, once opening a connection per request and once through a poolkit pool.
 */
public final class CustomFactoryExample {

    /** What one run measured. */
    public record Result(String mode, int requests, long millis, int connectionsOpened) {
        double perSecond() {
            return requests * 1000.0 / Math.max(1, millis);
        }
    }

    private CustomFactoryExample() {
    }

    public static void main(String[] args) throws Exception {
        run(System.out, 8, 100, 20);
    }

    /** The demo's stage: 8 threads x 100 requests to a backend whose connections take 20 ms to open. */
    static Demo.Row demoStage(Demo.Progress progress) throws Exception {
        int threads = 8;
        int perThread = progress.steps(100);
        progress.say("core: a custom ResourceFactory, connections to an echo server that take 20 ms to open");
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        try (EchoServer server = new EchoServer(20)) {
            warmUp(server);
            long start = System.nanoTime();
            runThreads(threads, () -> {
                for (int i = 0; i < perThread; i++) {
                    try (EchoConnection c = EchoConnection.open(server.port())) {
                        check(c.call("request " + i));
                    }
                    progress.update("unpooled requests", done.incrementAndGet(), threads * perThread);
                }
                return null;
            });
            long unpooled = (System.nanoTime() - start) / 1_000_000;
            done.set(0);
            start = System.nanoTime();
            io.poolkit.PoolStats stats;
            try (Pool<EchoConnection> pool = Pool.builder(new EchoConnectionFactory(server.port()))
                    .name("echo").maxSize(4).build()) {
                runThreads(threads, () -> {
                    for (int i = 0; i < perThread; i++) {
                        try (Lease<EchoConnection> lease = pool.acquire()) {
                            check(lease.get().call("request " + i));
                        }
                        progress.update("pooled requests", done.incrementAndGet(), threads * perThread);
                    }
                    return null;
                });
                stats = pool.stats();
            }
            long pooled = (System.nanoTime() - start) / 1_000_000;
            return new Demo.Row("core (custom factory)", threads * perThread + " echo requests, 8 threads", unpooled, pooled,
                    "created " + stats.created() + " connections for " + stats.acquired() + " leases (unpooled: "
                            + threads * perThread + "), max wait " + stats.maxWait().toMillis() + " ms");
        }
    }

    /** Runs both modes and prints a table and the pool's stats; returns {unpooled, pooled}. */
    public static List<Result> run(PrintStream out, int threads, int requestsPerThread, int handshakeMillis) throws Exception {
        out.printf("poolkit demo: %d threads x %d requests to an echo server whose connections take %d ms to open%n%n",
                threads, requestsPerThread, handshakeMillis);
        List<Result> results = new ArrayList<>();
        try (EchoServer server = new EchoServer(handshakeMillis)) {
            warmUp(server);
            results.add(unpooled(server, threads, requestsPerThread, out));
            results.add(pooled(server, threads, requestsPerThread, out));
        }
        out.println();
        out.printf("%-10s %10s %10s %12s %14s%n", "mode", "requests", "time ms", "requests/s", "connections");
        for (Result r : results) {
            out.printf(Locale.ROOT, "%-10s %10d %10d %12.0f %14d%n", r.mode(), r.requests(), r.millis(), r.perSecond(),
                    r.connectionsOpened());
        }
        out.printf(Locale.ROOT, "%npooled is %.1fx faster and opened %d connections instead of %d%n",
                (double) results.get(0).millis() / Math.max(1, results.get(1).millis()),
                results.get(1).connectionsOpened(), results.get(0).connectionsOpened());
        return results;
    }

    /**
     * One request each way before anything is timed. The first use of a path loads its classes (the pool's
     * among them): a cost of starting the JVM, not of a request. Timed in, it made the pooled run the slower
     * one on a loaded machine (up to 1.7 s against 0.8 s), though it is ten times faster once warm.
     */
    private static void warmUp(EchoServer server) throws Exception {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        unpooled(server, 1, 1, nowhere);
        pooled(server, 1, 1, nowhere);
    }

    private static Result unpooled(EchoServer server, int threads, int perThread, PrintStream out) throws Exception {
        int before = server.accepted();
        long start = System.nanoTime();
        runThreads(threads, () -> {
            for (int i = 0; i < perThread; i++) {
                try (EchoConnection c = EchoConnection.open(server.port())) {
                    check(c.call("request " + i));
                }
            }
            return null;
        });
        long ms = (System.nanoTime() - start) / 1_000_000;
        out.printf("unpooled: done in %d ms%n", ms);
        return new Result("unpooled", threads * perThread, ms, server.accepted() - before);
    }

    private static Result pooled(EchoServer server, int threads, int perThread, PrintStream out) throws Exception {
        int before = server.accepted();
        long start = System.nanoTime();
        PoolStats stats;
        try (Pool<EchoConnection> pool = Pool.builder(new EchoConnectionFactory(server.port()))
                .name("echo")
                .maxSize(4)
                .minIdle(1)
                .acquireTimeout(Duration.ofSeconds(10))
                .build()) {
            runThreads(threads, () -> {
                for (int i = 0; i < perThread; i++) {
                    try (Lease<EchoConnection> lease = pool.acquire()) {
                        check(lease.get().call("request " + i));
                    }
                }
                return null;
            });
            stats = pool.stats();
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        out.printf("pooled:   done in %d ms%n", ms);
        out.printf("pool stats: created=%d, destroyed=%d, acquired=%d, idle=%d, leased=%d, mean wait=%s, max wait=%s%n",
                stats.created(), stats.destroyed(), stats.acquired(), stats.idle(), stats.leased(),
                stats.meanWait(), stats.maxWait());
        return new Result("pooled", threads * perThread, ms, server.accepted() - before);
    }

    private static void check(String echo) {
        if (!echo.startsWith("request ")) {
            throw new IllegalStateException("bad echo: " + echo);
        }
    }

    private static void runThreads(int threads, java.util.concurrent.Callable<Void> work) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(executor.submit(work));
            }
            for (Future<Void> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
