package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.ManualClock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * STYLE rule 4 and DESIGN "Exceptions": every failure names the pool, says what failed with the
 * pool's counts, suggests what to do, and chains the real cause, so "pool exhausted" and "backend
 * down" read differently.
 */
@Timeout(30)
class ExceptionMessagesTest {
    private static final AtomicInteger UNIQUE = new AtomicInteger();
    private static final String LEASED_HINT = "every resource is leased: raise maxSize or look for leases that are never closed";

    private static String uniqueName(String prefix) {
        return prefix + "-" + UNIQUE.incrementAndGet();
    }

    // ------------------------------------------------------------------ PoolTimeoutException

    /** With an injected clock the wait is exact, so the whole message can be pinned. */
    @Test
    void exhaustedPoolTimesOutWithNameWaitCountsAndTheLeasedHint() throws Exception {
        ManualClock clock = new ManualClock();
        try (Pool<Object> pool = Pool.builder(Object::new).name("orders-db").maxSize(1).ticker(clock).scheduler(clock).build()) {
            try (Lease<Object> held = pool.acquire(Duration.ofSeconds(5))) {
                AtomicReference<Throwable> first = new AtomicReference<>();
                AtomicReference<Throwable> second = new AtomicReference<>();
                Thread a = waiter(pool, Duration.ofMillis(2000), first);
                Await.until(() -> pool.stats().waiting() == 1, () -> "first waiter queued: " + pool.stats());
                Thread b = waiter(pool, Duration.ofMillis(5000), second);
                Await.until(() -> pool.stats().waiting() == 2, () -> "second waiter queued: " + pool.stats());

                clock.advance(Duration.ofMillis(2000));
                a.join(5000);
                assertThat(a.isAlive()).as("first waiter ended").isFalse();
                assertThat(first.get())
                        .isInstanceOf(PoolTimeoutException.class)
                        .hasMessage("orders-db - acquire timed out after 2000 ms (size=1, idle=0, leased=1, waiting=1); " + LEASED_HINT)
                        .hasNoCause();

                clock.advance(Duration.ofMillis(3000));
                b.join(5000);
                assertThat(b.isAlive()).as("second waiter ended").isFalse();
                assertThat(second.get())
                        .isInstanceOf(PoolTimeoutException.class)
                        .hasMessage("orders-db - acquire timed out after 5000 ms (size=1, idle=0, leased=1, waiting=0); " + LEASED_HINT);
                assertThat(pool.stats().timeouts()).isEqualTo(2);
            }
        }
    }

    /** The same message shape on the system clock, where the wait is whatever it really was. */
    @Test
    void exhaustedPoolTimeoutOnTheSystemClockHasTheDocumentedShape() throws Exception {
        String name = uniqueName("exhausted");
        try (Pool<Object> pool = Pool.builder(Object::new).name(name).maxSize(1).build()) {
            try (Lease<Object> held = pool.acquire()) {
                Throwable t = catchThrowable(() -> pool.acquire(Duration.ofMillis(100)));
                assertThat(t).isInstanceOf(PoolTimeoutException.class).hasNoCause();
                assertThat(t.getMessage()).matches(Pattern.quote(name)
                        + " - acquire timed out after \\d+ ms \\(size=1, idle=0, leased=1, waiting=0\\); "
                        + Pattern.quote(LEASED_HINT));
            }
        }
    }

    /** acquire(ZERO) = tryAcquire that throws: its message still has the documented shape. */
    @Test
    void acquireWithZeroTimeoutOnAnExhaustedPoolThrowsAtOnceWithTheDocumentedShape() throws Exception {
        String name = uniqueName("zero");
        try (Pool<Object> pool = Pool.builder(Object::new).name(name).maxSize(1).build()) {
            try (Lease<Object> held = pool.acquire()) {
                Throwable t = catchThrowable(() -> pool.acquire(Duration.ZERO));
                assertThat(t).isInstanceOf(PoolTimeoutException.class);
                assertThat(t.getMessage()).matches(Pattern.quote(name)
                        + " - acquire timed out after \\d+ ms \\(size=1, idle=0, leased=1, waiting=0\\); "
                        + Pattern.quote(LEASED_HINT));
            }
        }
    }

    @Test
    void asyncAcquireTimesOutWithTheSameMessage() throws Exception {
        String name = uniqueName("async");
        try (Pool<Object> pool = Pool.builder(Object::new).name(name).maxSize(1).acquireTimeout(Duration.ofMillis(100)).build()) {
            try (Lease<Object> held = pool.acquire()) {
                CompletableFuture<Lease<Object>> f = pool.acquireAsync();
                assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(PoolTimeoutException.class)
                        .hasMessageStartingWith(name + " - acquire timed out after ")
                        .hasMessageContaining("(size=1, idle=0, leased=1, ")
                        .hasMessageEndingWith(LEASED_HINT);
            }
        }
    }

    @Test
    void timeoutWhileCreatesFailCarriesTheFactoryExceptionAsCause() throws Exception {
        String name = uniqueName("backend-down");
        Set<Throwable> thrown = ConcurrentHashMap.newKeySet();
        try (Pool<Object> pool = Pool.<Object>builder(() -> {
            IllegalStateException e = new IllegalStateException("connection refused");
            thrown.add(e);
            throw e;
        }).name(name).createRetry(Duration.ofMillis(1), Duration.ofMillis(5)).build()) {
            Throwable t = catchThrowable(() -> pool.acquire(Duration.ofMillis(300)));
            assertThat(t)
                    .isInstanceOf(PoolTimeoutException.class)
                    .hasMessageStartingWith(name + " - acquire timed out after ")
                    // size counts a create in flight: a retry (every 1-5 ms) may be under way as the message is written
                    .hasMessageMatching("(?s).*\\(size=[01], idle=0, leased=0, waiting=0\\).*")
                    .hasMessageContaining("creating resources is failing")
                    .hasMessageNotContaining("every resource is leased");
            assertThat(t.getCause()).as("the factory's own exception, not a wrapper").isIn(thrown);
            assertThat(pool.stats().createFailures()).isPositive();
        }
    }

    /** DESIGN: the cause is carried only while creates have been failing with no success since. */
    @Test
    void timeoutAfterCreatesRecoveredCarriesNoStaleCause() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Pool<Object> pool = Pool.<Object>builder(() -> {
            if (calls.incrementAndGet() <= 3) {
                throw new IllegalStateException("warming up");
            }
            return new Object();
        }).name(uniqueName("recovered")).maxSize(1).createRetry(Duration.ofMillis(1), Duration.ofMillis(5)).build()) {
            try (Lease<Object> held = pool.acquire(Duration.ofSeconds(5))) {
                Throwable t = catchThrowable(() -> pool.acquire(Duration.ofMillis(20)));
                assertThat(t).isInstanceOf(PoolTimeoutException.class).hasNoCause().hasMessageEndingWith(LEASED_HINT);
            }
        }
    }

    /**
     * Whatever the factory's exception says (here a password) is the factory's text: the pool's own
     * message names only the cause's type and chains the cause, so a driver that puts a secret in
     * its message does not get it copied into the pool's message and logs.
     */
    @Test
    void secretInTheFactoryFailureStaysInTheCauseNeverInThePoolsMessage() throws Exception {
        try (Pool<Object> pool = Pool.<Object>builder(() -> {
            throw new IllegalStateException("login failed: password=hunter2");
        }).name(uniqueName("secret")).createRetry(Duration.ofMillis(1), Duration.ofMillis(5)).build()) {
            Throwable t = catchThrowable(() -> pool.acquire(Duration.ofMillis(200)));
            assertThat(t).isInstanceOf(PoolTimeoutException.class);
            assertThat(t.getMessage()).doesNotContain("hunter2")
                    .contains("creating resources is failing (java.lang.IllegalStateException, the cause)");
            assertThat(t.getCause()).hasMessageContaining("hunter2");
            assertThat(pool.stats().toString()).doesNotContain("hunter2");
        }
    }

    // ------------------------------------------------------------------ PoolExhaustedException

    @Test
    void callerBeyondMaxWaitersIsShedAtOnceWithAMessageNamingMaxWaiters() throws Exception {
        String name = uniqueName("shed");
        try (Pool<Object> pool = Pool.builder(Object::new).name(name).maxSize(1).maxWaiters(0).build()) {
            assertThat(pool.warmUp(1)).isEqualTo(1);
            try (Lease<Object> held = pool.acquire()) {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(10)))
                        .isInstanceOf(PoolExhaustedException.class)
                        .hasMessage(name + " - too many callers waiting (maxWaiters=0; size=1, idle=0, leased=1, waiting=0);"
                                + " shedding load: raise maxWaiters or maxSize, or slow the callers down");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ms before the refusal").isLessThan(2000);
                assertThat(pool.stats().rejected()).isEqualTo(1);
            }
        }
    }

    /**
     * maxWaiters limits callers waiting for a resource someone else holds. With maxWaiters(0) and a
     * pool that has room, the first acquire is refused as "too many callers waiting (maxWaiters=0;
     * size=0, ...); raise maxWaiters or maxSize": nothing is leased, nobody waits, and raising
     * maxSize would not help. A caller that can be served by a create is not load to shed.
     */
    @Test
    void maxWaitersZeroStillServesACallerWhenThePoolHasRoomToCreate() throws Exception {
        try (Pool<Object> pool = Pool.builder(Object::new).name(uniqueName("room")).maxSize(2).maxWaiters(0).build()) {
            try (Lease<Object> lease = pool.acquire(Duration.ofSeconds(5))) {
                assertThat(lease.get()).isNotNull();
            }
        }
    }

    @Test
    void secondWaiterBeyondMaxWaitersOfOneIsShedNamingTheLimitAndTheWaiter() throws Exception {
        String name = uniqueName("shed-one");
        try (Pool<Object> pool = Pool.builder(Object::new).name(name).maxSize(1).maxWaiters(1).build()) {
            AtomicReference<Throwable> firstOutcome = new AtomicReference<>();
            Thread first;
            try (Lease<Object> held = pool.acquire()) {
                first = waiter(pool, Duration.ofSeconds(10), firstOutcome);
                Await.until(() -> pool.stats().waiting() == 1, () -> "first waiter queued: " + pool.stats());
                assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(10)))
                        .isInstanceOf(PoolExhaustedException.class)
                        .hasMessageContaining("(maxWaiters=1; size=1, idle=0, leased=1, waiting=1)");
            }
            first.join(5000);
            assertThat(first.isAlive()).as("first waiter ended").isFalse();
            assertThat(firstOutcome.get()).as("the queued waiter got the returned resource").isNull();
        }
    }

    @Test
    void asyncCallerBeyondMaxWaitersGetsAFailedFuture() throws Exception {
        try (Pool<Object> pool = Pool.builder(Object::new).name(uniqueName("shed-async")).maxSize(1).maxWaiters(0).build()) {
            assertThat(pool.warmUp(1)).isEqualTo(1);
            try (Lease<Object> held = pool.acquire()) {
                CompletableFuture<Lease<Object>> f = pool.acquireAsync();
                assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(PoolExhaustedException.class).hasMessageContaining("maxWaiters=0");
            }
        }
    }

    // ------------------------------------------------------------------ PoolClosedException

    @Test
    void everyPathIntoAClosedPoolFailsWithPoolClosedNamingThePool() throws Exception {
        String name = uniqueName("closed");
        Pool<Object> pool = Pool.builder(Object::new).name(name).build();
        pool.close();
        String expected = name + " - pool is closed (size=0, idle=0, leased=0, waiting=0); it hands out nothing more";
        assertThatThrownBy(pool::acquire).isInstanceOf(PoolClosedException.class).hasMessage(expected);
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(1))).isInstanceOf(PoolClosedException.class).hasMessage(expected);
        assertThatThrownBy(pool::tryAcquire).isInstanceOf(PoolClosedException.class).hasMessage(expected);
        assertThatThrownBy(() -> pool.withResource(r -> r)).isInstanceOf(PoolClosedException.class).hasMessage(expected);
        assertThatThrownBy(() -> pool.warmUp(1)).isInstanceOf(PoolClosedException.class).hasMessage(expected);
        CompletableFuture<Lease<Object>> f = pool.acquireAsync();
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PoolClosedException.class).hasMessage(expected);
    }

    @Test
    void acquireOnAClosedKeyedPoolFailsNamingThePool() throws Exception {
        String name = uniqueName("keyed-closed");
        KeyedPool<String, Object> pool = KeyedPool.<String, Object>builder(k -> new Object()).name(name).build();
        pool.close();
        assertThatThrownBy(() -> pool.acquire("a"))
                .isInstanceOf(PoolClosedException.class)
                .hasMessageStartingWith(name + " - ")
                .hasMessageContaining("closed");
    }

    // ------------------------------------------------------------------ CircuitOpenException and ResourceCreationException

    @Test
    void openCircuitFailsFastNamingThePoolWithTheLastFailureAsCause() throws Exception {
        String name = uniqueName("circuit");
        Set<Throwable> thrown = ConcurrentHashMap.newKeySet();
        try (Pool<Object> pool = Pool.<Object>builder(() -> {
            IllegalStateException e = new IllegalStateException("no route to host");
            thrown.add(e);
            throw e;
        }).name(name).circuitBreaker(2, Duration.ofMinutes(1)).createRetry(Duration.ofMillis(1), Duration.ofMillis(5)).build()) {
            assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(300))).isInstanceOf(PoolException.class);
            Await.until(() -> pool.stats().circuitState() == CircuitState.OPEN, () -> "circuit to open: " + pool.stats());
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> pool.acquire(Duration.ofSeconds(10)));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ms to fail fast").isLessThan(2000);
            assertThat(t)
                    .isInstanceOf(CircuitOpenException.class)
                    .hasMessageStartingWith(name + " - circuit open")
                    .hasMessageContaining("(size=0, idle=0, leased=0, waiting=0)")
                    .hasMessageContaining("60000 ms");
            assertThat(t.getCause()).isIn(thrown);
        }
    }

    @Test
    void failedInitialCreatesNameThePoolTheOptionAndTheCause() {
        String name = uniqueName("init");
        IllegalStateException boom = new IllegalStateException("database is starting up");
        Throwable t = catchThrowable(() -> Pool.<Object>builder(() -> {
            throw boom;
        }).name(name).initialSize(1).build());
        assertThat(t)
                .isInstanceOf(ResourceCreationException.class)
                .hasMessageStartingWith(name + " - could not create any of the 1 initial resources")
                .hasMessageContaining("initializationFailTimeout")
                .hasMessageContaining("Pool.FOREVER");
        assertThat(t.getCause()).isSameAs(boom);
    }

    // ------------------------------------------------------------------ the hierarchy

    @ParameterizedTest
    @ValueSource(classes = {PoolTimeoutException.class, PoolExhaustedException.class, CircuitOpenException.class,
        PoolClosedException.class, ResourceCreationException.class})
    void everyPoolExceptionExtendsPoolExceptionAndIsUnchecked(Class<?> type) {
        assertThat(PoolException.class).isAssignableFrom(type);
        assertThat(RuntimeException.class).isAssignableFrom(PoolException.class);
    }

    // ------------------------------------------------------------------ helpers

    /** A thread that acquires with {@code timeout} and records what went wrong (null = it got a lease, now closed). */
    private static Thread waiter(Pool<Object> pool, Duration timeout, AtomicReference<Throwable> outcome) {
        Thread t = new Thread(() -> {
            try {
                pool.acquire(timeout).close();
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "test-waiter");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
