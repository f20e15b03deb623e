package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The builder's {@code onAcquire} hook (commons-pool2's activateObject): every lease, on the caller's thread. */
@Timeout(30)
class OnAcquireHookTest extends ApiTestSupport {

    @Test
    void theHookRunsOnEveryLeaseOnTheCallersThreadBeforeTheCallerGetsIt() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        Pool<TestResource> pool = open(new TestFactory(),
                b -> b.maxSize(1).onAcquire(r -> calls.add(r.id() + "@" + Thread.currentThread().getName())));
        String me = Thread.currentThread().getName();
        for (int i = 0; i < 3; i++) {
            try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
                assertThat(calls).as("ran before the caller got lease %d", i).hasSize(i + 1);
            }
        }
        pool.tryAcquire().orElseThrow().close();
        pool.acquireAsync().get(10, TimeUnit.SECONDS).close();
        pool.useResource(r -> { });
        assertThat(calls).hasSize(6);
        assertThat(calls.subList(0, 5)).containsOnly("1@" + me);
    }

    @Test
    void aThrowingHookDestroysThatResourceAndTheAcquireGetsAnother() throws Exception {
        Set<Integer> refuse = ConcurrentHashMap.newKeySet();
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(2).onAcquire(r -> {
            if (refuse.contains(r.id())) {
                throw new IllegalStateException("cannot activate " + r.id());
            }
        }));
        assertThat(pool.warmUp(1)).isEqualTo(1);
        TestResource bad = f.alive().get(0);
        refuse.add(bad.id());
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).isNotSameAs(bad);
        }
        Await.until(() -> bad.destroyed() && pool.stats().destroyed() == 1, () -> "the refused resource destroyed: " + pool.stats());
        assertThat(pool.stats().acquired()).as("only the lease the caller got counts").isEqualTo(1);
    }

    @Test
    void aHookThatRefusesTheFirstFreshResourceStillLetsTheAcquireSucceed() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).onAcquire(r -> {
            if (r.id() == 1) {
                throw new java.io.IOException("first one broken");
            }
        }));
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get().id()).isEqualTo(2);
        }
        Await.until(() -> pool.stats().destroyed() == 1 && pool.stats().destroying() == 0, () -> "one destroyed: " + pool.stats());
        assertThat(pool.stats().created()).isEqualTo(2);
    }
}
