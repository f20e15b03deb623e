package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PoolSmokeTest {
    @Test
    void acquireReturnAndReuse() throws Exception {
        TestFactory f = new TestFactory();
        try (Pool<TestResource> pool = Pool.builder(f).maxSize(2).build()) {
            TestResource first;
            try (Lease<TestResource> l = pool.acquire()) {
                first = l.get();
            }
            try (Lease<TestResource> l = pool.acquire()) {
                assertThat(l.get()).isSameAs(first);
            }
            PoolChecks.assertBooksBalance(pool::stats, f);
            assertThat(pool.stats().created()).isEqualTo(1);
        }
        assertThat(f.alive()).isEmpty();
    }

    @Test
    void timesOutWhenExhausted() throws Exception {
        TestFactory f = new TestFactory();
        try (Pool<TestResource> pool = Pool.builder(f).maxSize(1).build()) {
            Lease<TestResource> held = pool.acquire();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(100)))
                    .isInstanceOf(PoolTimeoutException.class)
                    .hasMessageContaining("every resource is leased");
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(90L, 2000L);
            held.close();
            PoolChecks.assertBooksBalance(pool::stats, f);
        }
    }

    @Test
    void manyThreadsShareFewResources() throws Exception {
        TestFactory f = new TestFactory();
        try (Pool<TestResource> pool = Pool.builder(f).maxSize(3).build()) {
            Threads.run(16, Duration.ofSeconds(20), i -> {
                for (int k = 0; k < 2000; k++) {
                    try (Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5))) {
                        l.get().enter();
                        if (ThreadLocalRandom.current().nextInt(10) == 0) {
                            Thread.onSpinWait();
                        }
                        l.get().exit();
                    }
                }
            });
            PoolChecks.assertBooksBalance(pool::stats, f);
            assertThat(pool.stats().acquired()).isEqualTo(32000);
            assertThat(pool.stats().created()).isLessThanOrEqualTo(3);
        }
    }
}
