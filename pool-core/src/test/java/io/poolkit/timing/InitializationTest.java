package io.poolkit.timing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.Pool;
import io.poolkit.ResourceCreationException;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code initialSize} + {@code initializationFailTimeout}: build() creates the initial resources,
 * fails with the cause when none can be created in time (leaving nothing behind), or with
 * {@code FOREVER} returns at once and keeps trying in the background.
 */
@Timeout(30)
class InitializationTest extends TimedPoolTest {
    private final AtomicReference<Exception> lastFailure = new AtomicReference<>();

    private static List<String> threadsOf(String poolName) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(poolName + "-")).collect(Collectors.toList());
    }

    @Test
    void buildCreatesInitialSizeResourcesBeforeItReturns() throws Exception {
        Pool<TestResource> pool = open(builder().maxSize(5).initialSize(3));
        assertThat(pool.stats().idle()).as("idle when build() returns: %s", pool.stats()).isEqualTo(3);
        assertThat(pool.stats().created()).isEqualTo(3);
        assertThat(factory.alive()).hasSize(3);
    }

    @Test
    void failingFactoryMakesBuildThrowWithTheCauseAndLeavesNothingBehind() throws Exception {
        factory.onCreate = Behaviours.alwaysFailing("backend down", lastFailure);
        String name = "init-fails-" + System.nanoTime();

        Throwable thrown = catchThrowable(() -> Pool.builder(factory).name(name).initialSize(2).build());

        assertThat(thrown).isInstanceOf(ResourceCreationException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("initializationFailTimeout");
        assertThat(thrown.getCause()).as("the factory's own exception").isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("backend down #");
        assertThat(factory.createCalls()).isPositive();
        assertThat(factory.created()).isZero();
        assertThat(factory.alive()).isEmpty();
        Await.until(SOON, () -> threadsOf(name).isEmpty(), () -> "the failed pool's threads to end: " + threadsOf(name));
    }

    @Test
    void buildRetriesWithinInitializationFailTimeout() throws Exception {
        factory.onCreate = Behaviours.failTimes(2, "backend starting", lastFailure);
        // the real clock: build() itself waits out the back-off (10 ms, then 20 ms at most)
        Pool<TestResource> pool = open(Pool.builder(factory).name("init-retries-" + System.nanoTime())
                .initialSize(1).initializationFailTimeout(Duration.ofSeconds(10)));
        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().createFailures()).isEqualTo(2);
        assertThat(factory.createCalls()).isEqualTo(3);
    }

    @Test
    void foreverLetsBuildReturnAndKeepsTryingInTheBackgroundUntilItSucceeds() throws Exception {
        factory.onCreate = Behaviours.alwaysFailing("backend down", lastFailure);
        Pool<TestResource> pool = open(builder().maxSize(3).initialSize(2).initializationFailTimeout(Pool.FOREVER)
                .createRetry(Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThat(pool.stats().created()).as("build() did not wait for the initial resources").isZero();

        // waits for the pool's count, not the factory's: a create the factory has failed is counted a
        // moment later, on the creating thread (CI saw 4 counted with 6 calls made)
        driveRetries(pool, () -> pool.stats().createFailures() >= 6, Duration.ofSeconds(1), 10);
        assertThat(pool.stats().idle()).isZero();
        assertThat(factory.createCalls()).isGreaterThanOrEqualTo(6);

        factory.onCreate = () -> { };
        driveRetries(pool, () -> pool.stats().idle() == 2 && pool.stats().creating() == 0, Duration.ofSeconds(1), 5);
        assertThat(pool.stats().created()).isEqualTo(2);

        clock.advance(Duration.ofMinutes(1));
        assertThat(pool.stats().created()).as("stops once initialSize is reached").isEqualTo(2);
    }
}
