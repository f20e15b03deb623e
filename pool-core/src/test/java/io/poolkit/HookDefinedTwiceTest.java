package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A lifecycle hook defined both by the factory's class and on the builder is rejected at
 * {@code build()}, naming both, never silently skipped (a skipped destroy is a leak).
 */
@Timeout(30)
class HookDefinedTwiceTest extends ApiTestSupport {
    private final ManualClock clock = new ManualClock();

    /** Overrides destroy only. */
    static final class ClosingFactory implements ResourceFactory<TestResource> {
        private final AtomicInteger ids = new AtomicInteger();

        @Override
        public TestResource create() {
            return new TestResource(ids.incrementAndGet());
        }

        @Override
        public void destroy(TestResource resource) {
        }
    }

    /** Overrides the bounded validate only. */
    static final class ProbingFactory implements ResourceFactory<TestResource> {
        @Override
        public TestResource create() {
            return new TestResource(1);
        }

        @Override
        public boolean validate(TestResource resource, Duration timeout) {
            return true;
        }
    }

    @Test
    void destroyOnTheFactoryAndAReleaserIsRejectedNamingBoth() {
        PoolBuilder<TestResource> builder = Pool.builder(new ClosingFactory()).releaser(r -> { });
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("destroy")
                .hasMessageContaining("releaser")
                .hasMessageContaining(ClosingFactory.class.getName());
    }

    @Test
    void validateOnTheFactoryAndAValidatorIsRejectedNamingBoth() {
        assertThatThrownBy(() -> Pool.builder(new TestFactory()).validator(r -> true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("validate")
                .hasMessageContaining("validator");
        assertThatThrownBy(() -> Pool.builder(new ProbingFactory()).validator(r -> true).build())
                .as("the bounded validate(T, Duration) counts as defining validate")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("validate")
                .hasMessageContaining("validator");
    }

    @Test
    void resetOnTheFactoryAndAResetterIsRejectedNamingBoth() {
        assertThatThrownBy(() -> Pool.builder(new TestFactory()).resetter(r -> { }).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reset")
                .hasMessageContaining("resetter")
                .hasMessageContaining(TestFactory.class.getName());
    }

    @Test
    void aFactoryOverridingEveryHookRejectsEachBuilderHook() {
        assertThatThrownBy(() -> Pool.builder(new TestFactory()).releaser(r -> { }).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("releaser");
    }

    @Test
    void hooksDefinedOnceEitherWayBuildAndAreAllCalled() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        AtomicInteger ids = new AtomicInteger();
        Pool<TestResource> lambda = track(Pool.builder(() -> new TestResource(ids.incrementAndGet()))
                .validator(r -> {
                    calls.add("validate");
                    return true;
                })
                .resetter(r -> calls.add("reset"))
                .releaser(r -> calls.add("release"))
                .validateOnReturn(true)
                .ticker(clock).scheduler(clock)
                .maxSize(1)
                .build());
        lambda.acquire(Duration.ofSeconds(5)).close();
        lambda.acquire(Duration.ofSeconds(5)).invalidate();
        Await.until(() -> calls.contains("release"), () -> "released: " + calls);
        assertThat(calls).containsExactly("reset", "validate", "release");

        // a factory that overrides destroy only may still take a validator and a resetter
        Pool<TestResource> mixed = track(Pool.builder(new ClosingFactory()).validator(r -> true).resetter(r -> { }).maxSize(1).build());
        mixed.acquire(Duration.ofSeconds(5)).close();
    }
}
