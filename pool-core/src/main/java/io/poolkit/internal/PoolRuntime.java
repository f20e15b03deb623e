package io.poolkit.internal;

import io.poolkit.Scheduler;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background machinery of one pool (or of one keyed pool, shared by its keys): the clock, one
 * scheduler thread for timed work, and workers that run create, validate and destroy so that
 * callers never wait for them. Workers are made on demand and die after 30 s idle: their number
 * follows the work in flight, bounded by creates plus destroys, never a thread per resource.
 */
final class PoolRuntime {
    private static final Logger log = LoggerFactory.getLogger(PoolRuntime.class);

    final String name;
    final Clock clock;
    final Scheduler scheduler;
    final Executor asyncExecutor;
    private final ScheduledThreadPoolExecutor ownScheduler;
    private final ThreadPoolExecutor workers;

    PoolRuntime(Config config, String name) {
        this.name = name;
        this.clock = new Clock(config.ticker);
        ThreadFactory schedulerThreads = config.threadFactory != null ? config.threadFactory : new NamedThreads(name + "-scheduler", false);
        ThreadFactory workerThreads = config.threadFactory != null ? config.threadFactory : new NamedThreads(name + "-worker-", true);
        if (config.scheduler != null) {
            this.ownScheduler = null;
            this.scheduler = config.scheduler;
        } else {
            ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, schedulerThreads);
            s.setRemoveOnCancelPolicy(true);
            s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            this.ownScheduler = s;
            this.scheduler = (task, delay) -> {
                ScheduledFuture<?> f = s.schedule(guarded(task), Durations.toNanos(delay), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            };
        }
        this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), workerThreads);
        this.asyncExecutor = config.asyncExecutor != null ? config.asyncExecutor : ForkJoinPool.commonPool();
        clock.start();
    }

    /** Runs blocking work on a worker; after shutdown, on the calling thread. */
    void execute(Runnable work) {
        try {
            workers.execute(work);
        } catch (RejectedExecutionException e) {
            work.run();
        }
    }

    /** Schedules short work; when the scheduler refuses (shut down), the task is dropped. */
    Scheduler.Cancellable schedule(Runnable task, long delayNanos) {
        try {
            return scheduler.schedule(task, Durations.ofNanos(Math.max(0, delayNanos)));
        } catch (RejectedExecutionException e) {
            return () -> { };
        }
    }

    /** Completes async work on the async executor, falling back to a worker if it refuses. */
    void completeAsync(Runnable completion) {
        try {
            asyncExecutor.execute(completion);
        } catch (RejectedExecutionException e) {
            execute(completion);
        }
    }

    void stop() {
        if (ownScheduler != null) {
            ownScheduler.shutdownNow();
        }
        workers.shutdown();
        clock.stop();
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("{} - scheduled task failed", name, e);
            }
        };
    }

    /** Daemon threads named {@code <pool>-scheduler} and {@code <pool>-worker-N}. */
    private static final class NamedThreads implements ThreadFactory {
        private final String prefix;
        private final boolean numbered;
        private final AtomicInteger count = new AtomicInteger();

        NamedThreads(String prefix, boolean numbered) {
            this.prefix = prefix;
            this.numbered = numbered;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, numbered ? prefix + count.incrementAndGet() : prefix);
            t.setDaemon(true);
            return t;
        }
    }
}
