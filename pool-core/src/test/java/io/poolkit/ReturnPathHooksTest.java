package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestFactory.Behaviour;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What happens when a lease is returned: {@code maxUses} retirement, the reset hook (factory or
 * {@code resetter}), and {@code validateOnReturn}. Time is a {@link ManualClock}, so validation on
 * acquire ({@code validateAfterIdle}) never kicks in unless a test moves the clock.
 */
@Timeout(30)
class ReturnPathHooksTest extends ApiTestSupport {
    private final ManualClock clock = new ManualClock();

    @Test
    void aResourceIsDestroyedAfterMaxUsesLeases() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).maxUses(3).ticker(clock).scheduler(clock));
        TestResource first = null;
        for (int i = 1; i <= 3; i++) {
            try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
                if (first == null) {
                    first = l.get();
                }
                assertThat(l.get()).isSameAs(first);
                assertThat(l.isRetiring()).as("lease %d of 3 retiring", i).isEqualTo(i == 3);
            }
        }
        TestResource used = first;
        Await.until(() -> pool.stats().destroyedBy(DestroyReason.MAX_USES) == 1 && used.destroyed(),
                () -> "destroyed after its third lease: " + pool.stats());
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).isNotSameAs(first);
        }
        assertThat(pool.stats().created()).isEqualTo(2);
        assertThat(pool.stats().destroyed()).isEqualTo(1);
    }

    @Test
    void theFactoryResetRunsOnEveryReturn() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).ticker(clock).scheduler(clock));
        TestResource r = null;
        for (int i = 0; i < 5; i++) {
            try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
                r = l.get();
                assertThat(r.resets()).isEqualTo(i);
            }
        }
        assertThat(r.resets()).isEqualTo(5);
        assertThat(pool.stats().destroyed()).isZero();
    }

    @Test
    void theBuilderResetterRunsOnEveryReturnOnTheReturningThread() throws Exception {
        List<Thread> resetThreads = new CopyOnWriteArrayList<>();
        AtomicInteger ids = new AtomicInteger();
        Pool<TestResource> pool = track(Pool.builder(() -> new TestResource(ids.incrementAndGet()))
                .resetter(r -> resetThreads.add(Thread.currentThread()))
                .maxSize(1).ticker(clock).scheduler(clock).build());
        for (int i = 0; i < 4; i++) {
            pool.acquire(Duration.ofSeconds(5)).close();
        }
        assertThat(resetThreads).hasSize(4).containsOnly(Thread.currentThread());
        pool.useResource(r -> { });
        assertThat(resetThreads).hasSize(5);
    }

    @Test
    void aResetThatThrowsDestroysTheResourceWithResetFailedAndItIsReplaced() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(2).minIdle(1).ticker(clock).scheduler(clock));
        Await.until(() -> pool.stats().idle() == 1, () -> "minIdle filled: " + pool.stats());
        Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5));
        TestResource dirty = l.get();
        f.onReset = Behaviour.failing("cannot clean");
        l.close();
        f.onReset = Behaviour.normal();
        Await.until(() -> dirty.destroyed() && pool.stats().destroyedBy(DestroyReason.RESET_FAILED) == 1,
                () -> "the resource that failed its reset destroyed: " + pool.stats());
        Await.until(() -> pool.stats().idle() == 1 && pool.stats().creating() == 0, () -> "replaced to keep minIdle: " + pool.stats());
        try (Lease<TestResource> next = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(next.get()).isNotSameAs(dirty);
        }
    }

    @Test
    void aResetSlowerThanValidationTimeoutDestroysTheResourceWithResetFailed() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).validationTimeout(Duration.ofMillis(100)).ticker(clock).scheduler(clock));
        TestResource kept;
        f.onReset = () -> clock.advance(Duration.ofMillis(60));
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            kept = l.get();
        }
        assertThat(pool.stats().destroyed()).as("a reset within the bound keeps the resource").isZero();
        assertThat(pool.stats().idle()).isEqualTo(1);

        f.onReset = () -> clock.advance(Duration.ofMillis(150));
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).isSameAs(kept);
        }
        f.onReset = Behaviour.normal();
        Await.until(() -> kept.destroyed() && pool.stats().destroyedBy(DestroyReason.RESET_FAILED) == 1,
                () -> "a reset over validationTimeout destroys: " + pool.stats());
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).isNotSameAs(kept);
        }
    }

    @Test
    void withoutValidateOnReturnAReturnIsNotValidated() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).ticker(clock).scheduler(clock));
        TestResource r;
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            r = l.get();
            r.breakIt();
        }
        assertThat(r.validations()).isZero();
        assertThat(pool.stats().destroyed()).as("a broken resource goes back idle unchecked").isZero();
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void validateOnReturnChecksEveryReturnAndDestroysAFailingOne() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).validateOnReturn(true).ticker(clock).scheduler(clock));
        TestResource r;
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            r = l.get();
        }
        assertThat(r.validations()).isEqualTo(1);
        assertThat(pool.stats().idle()).isEqualTo(1);
        try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).isSameAs(r);
            r.breakIt();
        }
        assertThat(r.validations()).isEqualTo(2);
        Await.until(() -> r.destroyed() && pool.stats().destroyedBy(DestroyReason.VALIDATION_FAILED) == 1,
                () -> "the broken resource destroyed on return: " + pool.stats());
    }

    @Test
    void aValidationOnReturnSlowerThanValidationTimeoutDestroysTheResource() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).validateOnReturn(true).validationTimeout(Duration.ofMillis(100))
                .ticker(clock).scheduler(clock));
        Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5));
        TestResource r = l.get();
        f.onValidate = () -> clock.advance(Duration.ofMillis(150));
        l.close();
        f.onValidate = Behaviour.normal();
        Await.until(() -> r.destroyed() && pool.stats().destroyedBy(DestroyReason.VALIDATION_FAILED) == 1,
                () -> "the slow check destroys: " + pool.stats());
    }
}
