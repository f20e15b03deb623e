package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.poolkit.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link KeyedPoolBuilder} and {@link KeyOptions} keep the builder rules, and a bad per-key option is
 * reported for its key when that key's sub-pool opens, leaving the other keys working.
 */
@Timeout(30)
class KeyedPoolValidationTest {
    private static final AtomicInteger UNIQUE = new AtomicInteger();

    private static KeyedPoolBuilder<String, Object> builder() {
        return KeyedPool.builder(key -> new Object());
    }

    private static KeyedPool<String, Object> pool(Function<String, KeyOptions> perKey) {
        return builder().name("keyed-checks-" + UNIQUE.incrementAndGet()).perKey(perKey).build();
    }

    // ------------------------------------------------------------------ the builder

    @Test
    void builderWithoutAFactoryIsRejectedNamingTheFactory() {
        assertThatThrownBy(() -> KeyedPool.builder(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("factory must not be null");
    }

    @Test
    void maxTotalZeroIsRejected() {
        assertThatThrownBy(() -> builder().maxTotal(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTotal must be at least 1, but was 0");
    }

    @Test
    void negativeMaxTotalIsRejected() {
        assertThatThrownBy(() -> builder().maxTotal(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTotal must be at least 1, but was -1");
    }

    @Test
    void negativeKeyIdleTimeoutIsRejectedNamingTheValue() {
        assertThatThrownBy(() -> builder().keyIdleTimeout(Duration.ofSeconds(-3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keyIdleTimeout must not be negative, but was PT-3S");
    }

    @Test
    void keyIdleTimeoutOfZeroOrForeverIsAccepted() {
        assertThatCode(() -> builder().keyIdleTimeout(Duration.ZERO).keyIdleTimeout(Pool.FOREVER)).doesNotThrowAnyException();
    }

    @Test
    void nullKeyedBuilderOptionsAreRejectedNamingTheOption() {
        assertThatThrownBy(() -> builder().keyIdleTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("keyIdleTimeout must not be null");
        assertThatThrownBy(() -> builder().perKey(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("perKey must not be null");
        assertThatThrownBy(() -> builder().listener(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("listener must not be null");
    }

    /** The shared options keep their checks on the keyed builder too. */
    @Test
    void inheritedOptionsAreCheckedOnTheKeyedBuilder() {
        assertThatThrownBy(() -> builder().maxSize(0)).hasMessage("maxSize must be at least 1, but was 0");
        assertThatThrownBy(() -> builder().maxLifetime(Duration.ZERO))
                .hasMessageStartingWith("maxLifetime must be more than zero");
        assertThatThrownBy(() -> builder().lifetimeJitter(2.0))
                .hasMessage("lifetimeJitter must be between 0.0 and 1.0, but was 2.0");
    }

    @Test
    void initialSizeIsRejectedAtBuildSuggestingWarmUp() {
        String name = "keyed-initial-" + UNIQUE.incrementAndGet();
        assertThatThrownBy(() -> builder().name(name).initialSize(2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialSize (2)")
                .hasMessageContaining("warmUp(key, n)");
        assertThat(threadsNamedAfter(name)).isEmpty();
    }

    @Test
    void minIdleAboveMaxSizeIsRejectedAtBuildOfAKeyedPool() {
        String name = "keyed-cross-" + UNIQUE.incrementAndGet();
        assertThatThrownBy(() -> builder().name(name).maxSize(2).minIdle(3).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minIdle (3) must not exceed maxSize (2)");
        assertThat(threadsNamedAfter(name)).isEmpty();
    }

    // ------------------------------------------------------------------ perKey at acquire

    @Test
    void perKeyReturningNullFailsTheAcquireOfThatKeyWithAClearNullPointerException() throws Exception {
        try (KeyedPool<String, Object> pool = pool(key -> key.equals("bad") ? null : KeyOptions.defaults())) {
            assertThatThrownBy(() -> pool.acquire("bad"))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("perKey returned null for key bad")
                    .hasMessageContaining("KeyOptions.defaults()");
            assertThat(pool.keys()).doesNotContain("bad");
            try (Lease<Object> lease = pool.acquire("good", Duration.ofSeconds(5))) {
                assertThat(lease.get()).isNotNull();
            }
        }
    }

    @Test
    void perKeyReturningNullFailsEveryAccessPathOfThatKey() throws Exception {
        try (KeyedPool<String, Object> pool = pool(key -> null)) {
            assertThatThrownBy(() -> pool.acquire("k", Duration.ofSeconds(1)))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("perKey returned null for key k");
            assertThatThrownBy(() -> pool.tryAcquire("k"))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("perKey returned null for key k");
            assertThatThrownBy(() -> pool.withResource("k", r -> r))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("perKey returned null for key k");
            CompletableFuture<Lease<Object>> f = pool.acquireAsync("k");
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(NullPointerException.class).hasMessageContaining("perKey returned null for key k");
            assertThat(pool.keys()).isEmpty();
        }
    }

    @Test
    void perKeyMinIdleAboveItsMaxSizeIsRejectedNamingTheKey() throws Exception {
        try (KeyedPool<String, Object> pool = pool(key -> key.equals("big") ? KeyOptions.defaults().maxSize(2).minIdle(3)
                : KeyOptions.defaults())) {
            assertThatThrownBy(() -> pool.acquire("big"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("key big")
                    .hasMessageContaining("minIdle (3) must not exceed maxSize (2)");
            assertThat(pool.keys()).doesNotContain("big");
            try (Lease<Object> lease = pool.acquire("small", Duration.ofSeconds(5))) {
                assertThat(lease.get()).isNotNull();
            }
        }
    }

    /** A per-key maxSize below the builder's minIdle is the same contradiction, reached another way. */
    @Test
    void perKeyMaxSizeBelowTheDefaultMinIdleIsRejectedNamingTheKey() throws Exception {
        try (KeyedPool<String, Object> pool = builder().name("keyed-min-" + UNIQUE.incrementAndGet()).maxSize(5).minIdle(3)
                .perKey(key -> KeyOptions.defaults().maxSize(2)).build()) {
            assertThatThrownBy(() -> pool.acquire("tiny"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("key tiny")
                    .hasMessageContaining("minIdle (3) must not exceed maxSize (2)");
        }
    }

    // ------------------------------------------------------------------ KeyOptions

    static Stream<Arguments> badKeyOptions() {
        return Stream.of(
                bad("maxSize(0)", o -> o.maxSize(0), IllegalArgumentException.class, "maxSize must be at least 1, but was 0"),
                bad("maxSize(-1)", o -> o.maxSize(-1), IllegalArgumentException.class, "maxSize must be at least 1, but was -1"),
                bad("minIdle(-1)", o -> o.minIdle(-1), IllegalArgumentException.class, "minIdle must be at least 0, but was -1"),
                bad("acquireTimeout(-1s)", o -> o.acquireTimeout(Duration.ofSeconds(-1)), IllegalArgumentException.class,
                        "acquireTimeout must not be negative, but was PT-1S"),
                bad("acquireTimeout(null)", o -> o.acquireTimeout(null), NullPointerException.class,
                        "acquireTimeout must not be null"),
                bad("circuitBreaker(0, 1s)", o -> o.circuitBreaker(0, Duration.ofSeconds(1)), IllegalArgumentException.class,
                        "circuitBreaker failures must be at least 1, but was 0"),
                bad("circuitBreaker(1, -1s)", o -> o.circuitBreaker(1, Duration.ofSeconds(-1)), IllegalArgumentException.class,
                        "circuitBreaker open must be more than zero"),
                bad("circuitBreaker(1, ZERO)", o -> o.circuitBreaker(1, Duration.ZERO), IllegalArgumentException.class,
                        "circuitBreaker open must be more than zero"),
                bad("circuitBreaker(1, null)", o -> o.circuitBreaker(1, null), NullPointerException.class,
                        "circuitBreaker open must not be null"));
    }

    private static Arguments bad(String what, Function<KeyOptions, KeyOptions> call, Class<?> type, String messageStart) {
        return arguments(named(what, call), type, messageStart);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badKeyOptions")
    void everyKeyOptionsSetterRejectsABadValue(Function<KeyOptions, KeyOptions> call, Class<? extends Throwable> type,
                                              String messageStart) {
        assertThatThrownBy(() -> call.apply(KeyOptions.defaults()))
                .isInstanceOf(type)
                .hasMessageStartingWith(messageStart);
    }

    /** Same defect as the builder's: FOREVER keeps the circuit open for good, it does not switch it off. */
    @Test
    void zeroKeyCircuitOpenTimeDoesNotSuggestForeverAsTheWayToSwitchTheBreakerOff() {
        assertThatThrownBy(() -> KeyOptions.defaults().circuitBreaker(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("Pool.FOREVER to switch it off");
    }

    @Test
    void keyOptionsAtTheirLimitsAreAcceptedAndDefaultsStayUntouched() {
        List<ThrowingSupplier<KeyOptions>> ok = List.of(
                () -> KeyOptions.defaults().maxSize(1),
                () -> KeyOptions.defaults().minIdle(0),
                () -> KeyOptions.defaults().acquireTimeout(Duration.ZERO),
                () -> KeyOptions.defaults().acquireTimeout(Pool.FOREVER),
                () -> KeyOptions.defaults().circuitBreaker(1, Pool.FOREVER));
        for (ThrowingSupplier<KeyOptions> s : ok) {
            assertThatCode(s::get).doesNotThrowAnyException();
        }
        KeyOptions defaults = KeyOptions.defaults();
        KeyOptions changed = defaults.maxSize(3);
        assertThat(changed).isNotSameAs(defaults).isNotEqualTo(defaults);
        assertThat(KeyOptions.defaults()).isSameAs(defaults);
        assertThat(KeyOptions.defaults().toString()).contains("maxSize=null");
    }

    // ------------------------------------------------------------------ runtime arguments

    @Test
    void nullKeyIsRejectedOnEveryPath() {
        try (KeyedPool<String, Object> pool = pool(key -> KeyOptions.defaults())) {
            assertThatThrownBy(() -> pool.acquire(null)).isInstanceOf(NullPointerException.class).hasMessage("key must not be null");
            assertThatThrownBy(() -> pool.acquire(null, Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class)
                    .hasMessage("key must not be null");
            assertThatThrownBy(() -> pool.tryAcquire(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("key must not be null");
            assertThatThrownBy(() -> pool.withResource(null, r -> r)).isInstanceOf(NullPointerException.class)
                    .hasMessage("key must not be null");
            assertThatThrownBy(() -> pool.warmUp(null, 1)).isInstanceOf(NullPointerException.class)
                    .hasMessage("key must not be null");
            assertThatThrownBy(() -> pool.stats(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("key must not be null");
            assertThatThrownBy(() -> pool.remove(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("key must not be null");
        }
    }

    @Test
    void keyedAcquireWithANegativeTimeoutIsRejectedNamingTheValue() {
        try (KeyedPool<String, Object> pool = pool(key -> KeyOptions.defaults())) {
            assertThatThrownBy(() -> pool.acquire("a", Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("timeout must not be negative, but was PT-1S");
            assertThat(pool.keys()).isEmpty();
        }
    }

    @Test
    void keyedWithResourceOfNullIsRejected() {
        try (KeyedPool<String, Object> pool = pool(key -> KeyOptions.defaults())) {
            assertThatThrownBy(() -> pool.withResource("a", null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("fn must not be null");
            assertThatThrownBy(() -> pool.useResource("a", null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("fn must not be null");
            assertThat(pool.keys()).isEmpty();
        }
    }

    @Test
    void keyedWarmUpOfANegativeCountIsRejectedNamingTheValue() {
        try (KeyedPool<String, Object> pool = pool(key -> KeyOptions.defaults())) {
            assertThatThrownBy(() -> pool.warmUp("a", -1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("count must be at least 0, but was -1");
        }
    }

    /**
     * A refused call must not change the pool: warmUp(key, -1) opens the key's sub-pool (with its
     * threads' work, perKey call and JMX bean) before it checks the count.
     */
    @Test
    void keyedWarmUpOfANegativeCountOpensNoSubPool() {
        AtomicInteger perKeyCalls = new AtomicInteger();
        try (KeyedPool<String, Object> pool = pool(key -> {
            perKeyCalls.incrementAndGet();
            return KeyOptions.defaults();
        })) {
            assertThatThrownBy(() -> pool.warmUp("a", -1)).isInstanceOf(IllegalArgumentException.class);
            assertThat(pool.keys()).as("keys after a refused warmUp").isEmpty();
            assertThat(perKeyCalls).as("perKey calls for a refused warmUp").hasValue(0);
        }
    }

    @Test
    void keyedShutdownWithANegativeGraceIsRejectedAndThePoolKeepsServing() throws Exception {
        try (KeyedPool<String, Object> pool = pool(key -> KeyOptions.defaults())) {
            assertThatThrownBy(() -> pool.shutdown(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("grace must not be negative, but was PT-1S");
            try (Lease<Object> lease = pool.acquire("a", Duration.ofSeconds(5))) {
                assertThat(lease.get()).isNotNull();
            }
        }
    }

    @Test
    void keyedAddListenerOfNullIsRejected() {
        try (KeyedPool<String, Object> pool = pool(key -> KeyOptions.defaults())) {
            assertThatThrownBy(() -> pool.addListener(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("listener must not be null");
        }
    }

    @Test
    void closedKeyedPoolLeavesNoThreadNamedAfterIt() {
        String name = "keyed-closed-" + UNIQUE.incrementAndGet();
        KeyedPool<String, Object> pool = builder().name(name).minIdle(1).build();
        assertThatCode(() -> pool.acquire("a", Duration.ofSeconds(5)).close()).doesNotThrowAnyException();
        pool.close();
        Await.until(Duration.ofSeconds(5), () -> threadsNamedAfter(name).isEmpty(),
                () -> "threads named after " + name + ": " + threadsNamedAfter(name));
    }

    private static List<String> threadsNamedAfter(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.contains(name))
                .collect(Collectors.toList());
    }
}
