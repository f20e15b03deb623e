package io.poolkit.testkit;

import io.poolkit.ResourceFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A factory whose every hook can be told to fail or stall, and that keeps the books: which
 * resources are alive, how many were created and destroyed, and whether any was destroyed twice.
 */
public class TestFactory implements ResourceFactory<TestResource> {
    /** What a hook does on its next calls. */
    public interface Behaviour {
        void apply() throws Exception;

        static Behaviour normal() {
            return () -> { };
        }

        static Behaviour failing(String message) {
            return () -> {
                throw new IllegalStateException(message);
            };
        }

        /** Blocks until {@code release} counts down (interruptibly), at most a minute. */
        static Behaviour stalling(CountDownLatch release) {
            return () -> release.await(1, TimeUnit.MINUTES);
        }
    }

    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger createCalls = new AtomicInteger();
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger destroyed = new AtomicInteger();
    private final AtomicInteger doubleDestroys = new AtomicInteger();
    private final Set<TestResource> alive = ConcurrentHashMap.newKeySet();
    private final Set<Thread> hookThreads = ConcurrentHashMap.newKeySet();

    public volatile Behaviour onCreate = Behaviour.normal();
    public volatile Behaviour onValidate = Behaviour.normal();
    public volatile Behaviour onReset = Behaviour.normal();
    public volatile Behaviour onDestroy = Behaviour.normal();

    @Override
    public TestResource create() throws Exception {
        createCalls.incrementAndGet();
        hookThreads.add(Thread.currentThread());
        onCreate.apply();
        TestResource r = new TestResource(ids.incrementAndGet());
        created.incrementAndGet();
        alive.add(r);
        return r;
    }

    @Override
    public boolean validate(TestResource resource) throws Exception {
        resource.validated();
        onValidate.apply();
        return resource.healthy();
    }

    @Override
    public void reset(TestResource resource) throws Exception {
        resource.reset();
        onReset.apply();
    }

    @Override
    public void destroy(TestResource resource) throws Exception {
        hookThreads.add(Thread.currentThread());
        if (!resource.markDestroyed()) {
            doubleDestroys.incrementAndGet();
        }
        alive.remove(resource);
        destroyed.incrementAndGet();
        onDestroy.apply();
    }

    public int createCalls() {
        return createCalls.get();
    }

    public int created() {
        return created.get();
    }

    public int destroyed() {
        return destroyed.get();
    }

    public int doubleDestroys() {
        return doubleDestroys.get();
    }

    public List<TestResource> alive() {
        return List.copyOf(alive);
    }

    /** Threads that ran create or destroy: they must all be pool workers. */
    public Set<Thread> hookThreads() {
        return Set.copyOf(hookThreads);
    }
}
