package io.poolkit.timing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One call running on its own daemon thread, so a test can drive the {@code ManualClock} while a
 * caller waits on the pool. Owned by the test that started it: {@link TimedPoolTest} checks after
 * each test that every one of them ended.
 *
 * @param <V> what the call returns
 */
final class Background<V> {
    private final FutureTask<V> task;
    private final Thread thread;

    private Background(String name, Callable<V> body) {
        this.task = new FutureTask<>(body);
        this.thread = new Thread(task, name);
        thread.setDaemon(true);
    }

    static <V> Background<V> start(String name, Callable<V> body) {
        Background<V> b = new Background<>(name, body);
        b.thread.start();
        return b;
    }

    boolean isDone() {
        return task.isDone();
    }

    Thread thread() {
        return thread;
    }

    /** The call's result, waiting at most {@code bound} of real time; rethrows what the call threw. */
    V get(Duration bound) throws Exception {
        try {
            return task.get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        } catch (TimeoutException e) {
            throw new AssertionError("call on " + thread.getName() + " still running after " + bound, e);
        }
    }

    /** What the call threw, waiting at most {@code bound}; fails if it returned normally. */
    Throwable failure(Duration bound) throws InterruptedException {
        try {
            V v = task.get(bound.toNanos(), TimeUnit.NANOSECONDS);
            throw new AssertionError("expected " + thread.getName() + " to fail, but it returned " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("call on " + thread.getName() + " still running after " + bound, e);
        }
    }

    /** Waits for the thread to end; true if it did within {@code bound}. */
    boolean join(Duration bound) throws InterruptedException {
        thread.join(Math.max(1, bound.toMillis()));
        return !thread.isAlive();
    }
}
