package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A hook or listener that throws something other than a RuntimeException (an Error, a sneaky checked exception), and a listener added while a lease is out: found in review, each test failed before its fix. */
@Timeout(30)
class HooksThatThrowAnythingTest extends ApiTestSupport {

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneaky(Throwable t) throws E {
        throw (E) t;
    }

    @Test
    void aListenerThrowingACheckedExceptionDoesNotStrandACreate() throws Exception {
        // a Kotlin (or @SneakyThrows) listener may throw a checked exception; the contract says it is logged and ignored
        AtomicBoolean thrown = new AtomicBoolean();
        PoolListener<TestResource> listener = new PoolListener<>() {
            @Override
            public void created(TestResource r) {
                if (thrown.compareAndSet(false, true)) {
                    sneaky(new IOException("listener failed"));
                }
            }
        };
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).createTimeout(Duration.ofSeconds(1)).listener(listener));
        assertThatCode(() -> pool.acquire(Duration.ofSeconds(2)).close())
                .as("the one slot came back after the listener failed: %s", pool.stats())
                .doesNotThrowAnyException();
    }

    @Test
    void aValidatorThrowingAnErrorDoesNotLoseItsSlot() throws Exception {
        AtomicBoolean thrown = new AtomicBoolean();
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).validateAfterIdle(Duration.ZERO)
                .validationTimeout(Duration.ofMillis(200)).createTimeout(Duration.ofSeconds(1)));
        f.onValidate = () -> {
            if (thrown.compareAndSet(false, true)) {
                throw new AssertionError("validator bug");
            }
        };
        assertThatCode(() -> pool.acquire(Duration.ofSeconds(3)).close())
                .as("the broken resource is destroyed and replaced: %s", pool.stats())
                .doesNotThrowAnyException();
        assertThat(pool.stats().destroyedBy(DestroyReason.VALIDATION_FAILED)).isEqualTo(1);
    }

    @Test
    void aResetThrowingAnErrorDoesNotLoseItsSlot() throws Exception {
        AtomicBoolean thrown = new AtomicBoolean();
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).createTimeout(Duration.ofSeconds(1)));
        f.onReset = () -> {
            if (thrown.compareAndSet(false, true)) {
                throw new AssertionError("reset bug");
            }
        };
        Lease<TestResource> lease = pool.acquire(Duration.ofSeconds(2));
        catchThrowable(lease::close); // whether close() rethrows is secondary; the slot must not be lost
        assertThatCode(() -> pool.acquire(Duration.ofSeconds(2)).close())
                .as("the resource whose reset failed is destroyed and replaced: %s", pool.stats())
                .doesNotThrowAnyException();
    }

    @Test
    void aListenerAddedWhileALeaseIsOutReportsItsTrueHeldTime() throws Exception {
        // how pool-micrometer binds: addListener after build, possibly while leases are out
        ManualClock clock = new ManualClock();
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).ticker(clock).scheduler(clock));
        pool.acquire(Duration.ofSeconds(1)).close(); // created while the caller waited
        clock.advance(Duration.ofSeconds(5));
        Lease<TestResource> lease = pool.acquire(Duration.ofSeconds(1)); // the fast path
        AtomicLong held = new AtomicLong(-1);
        pool.addListener(new PoolListener<>() {
            @Override
            public void returned(TestResource r, long heldNanos) {
                held.set(heldNanos);
            }
        });
        clock.advance(Duration.ofMillis(100));
        lease.close();
        assertThat(Duration.ofNanos(held.get())).as("held time reported by returned()")
                .isLessThanOrEqualTo(Duration.ofMillis(100));
    }

    @Test
    void anInvalidateOnPredicateThatThrowsACheckedExceptionDoesNotLeakTheLease() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).createTimeout(Duration.ofSeconds(1)).invalidateOn(t -> {
            HooksThatThrowAnythingTest.<RuntimeException>sneaky(new IOException("predicate written in Kotlin"));
            return false;
        }));
        catchThrowable(() -> pool.withResource(r -> {
            throw new IllegalStateException("use failed");
        }));
        assertThatCode(() -> pool.acquire(Duration.ofSeconds(2)).close())
                .as("the lease of the failed withResource came back: %s", pool.stats())
                .doesNotThrowAnyException();
    }
}
