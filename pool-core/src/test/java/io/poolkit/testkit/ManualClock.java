package io.poolkit.testkit;

import io.poolkit.Scheduler;
import io.poolkit.Ticker;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A ticker and scheduler that move only when a test says so: {@link #advance(Duration)} moves time
 * forward and runs every task that falls due, in order, on the calling thread. Inject it with
 * {@code .ticker(clock).scheduler(clock)}; no test then sleeps for eviction, expiry or keepalive.
 * Thread-safe: pools schedule from their own threads.
 */
public final class ManualClock implements Ticker, Scheduler {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long sequence;

    @Override
    public long read() {
        return now.get();
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        long nanos = delay.compareTo(Duration.ofDays(3650)) > 0 ? Long.MAX_VALUE / 2 : delay.toNanos();
        lock.lock();
        try {
            Task t = new Task(now.get() + nanos, sequence++, task);
            tasks.add(t);
            return () -> {
                lock.lock();
                try {
                    tasks.remove(t);
                } finally {
                    lock.unlock();
                }
            };
        } finally {
            lock.unlock();
        }
    }

    /** Moves time forward by {@code d}, running every task due on the way, at its own time. */
    public void advance(Duration d) {
        long target = now.get() + d.toNanos();
        for (;;) {
            Task next;
            lock.lock();
            try {
                next = tasks.peek();
                if (next == null || next.at > target) {
                    break;
                }
                tasks.poll();
            } finally {
                lock.unlock();
            }
            now.accumulateAndGet(next.at, Math::max);
            next.task.run();
        }
        now.accumulateAndGet(target, Math::max);
    }

    /** Runs the tasks that are due now without moving time. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** @return how many tasks wait to run */
    public int pending() {
        lock.lock();
        try {
            return tasks.size();
        } finally {
            lock.unlock();
        }
    }

    private record Task(long at, long seq, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
        }
    }
}
