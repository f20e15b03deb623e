package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code threadFactory}: the pool's background work runs on threads from it, never on a caller's. */
@Timeout(30)
class ThreadFactoryTest extends ApiTestSupport {

    /** Makes daemon threads and remembers them. */
    static final class RecordingThreads implements ThreadFactory {
        final Set<Thread> made = ConcurrentHashMap.newKeySet();
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "custom-pool-thread-" + count.incrementAndGet());
            t.setDaemon(true);
            made.add(t);
            return t;
        }
    }

    @Test
    void createsAndDestroysRunOnThreadsFromTheFactoryNeverOnTheCallersThread() throws Exception {
        RecordingThreads threads = new RecordingThreads();
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(3).threadFactory(threads));
        List<Thread> callers = new CopyOnWriteArrayList<>();
        callers.add(Thread.currentThread());

        assertThat(pool.warmUp(2)).isEqualTo(2);
        Threads.run(3, Duration.ofSeconds(20), i -> {
            callers.add(Thread.currentThread());
            Lease<TestResource> l = pool.acquire(Duration.ofSeconds(10));
            l.invalidate();
            pool.acquire(Duration.ofSeconds(10)).close();
        });
        // a create started for a waiter may still finish after the threads are done: evict until none is left
        Await.until(() -> {
            pool.evictIdle();
            return pool.stats().creating() == 0 && pool.stats().destroying() == 0 && pool.stats().size() == 0;
        }, () -> "evicted: " + pool.stats());
        assertThat(pool.warmUp(1)).isEqualTo(1);
        pool.close(); // destroys the idle one at shutdown

        assertThat(f.created()).isGreaterThanOrEqualTo(4);
        assertThat(f.destroyed()).isEqualTo(f.created());
        assertThat(threads.made).as("the factory made the pool's threads").isNotEmpty();
        assertThat(f.hookThreads()).as("every create and destroy ran on a thread of the factory")
                .isSubsetOf(threads.made)
                .doesNotContainAnyElementsOf(callers);
    }

    @Test
    void theFactorysThreadsEndAfterTheShutdown() throws Exception {
        RecordingThreads threads = new RecordingThreads();
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(2).minIdle(1).threadFactory(threads));
        Await.until(() -> pool.stats().idle() == 1, () -> "minIdle filled: " + pool.stats());
        pool.acquire(Duration.ofSeconds(5)).invalidate();
        assertThat(pool.shutdown(Duration.ofSeconds(5))).isTrue();
        Await.until(() -> threads.made.stream().noneMatch(Thread::isAlive),
                () -> "threads still alive after shutdown: " + threads.made.stream().filter(Thread::isAlive).toList());
    }
}
