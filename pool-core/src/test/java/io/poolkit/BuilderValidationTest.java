package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * STYLE rule 3 for {@link PoolBuilder}: every setter rejects a bad value at once, with a message that
 * names the option, the rule and the rejected value; DESIGN "every duration is a threshold" decides
 * which durations accept {@link Duration#ZERO}, and {@link Pool#FOREVER} is accepted wherever a
 * threshold means "off".
 */
@Timeout(30)
class BuilderValidationTest {

    private static PoolBuilder<Object> builder() {
        return Pool.builder(Object::new);
    }

    // ------------------------------------------------------------------ the option tables

    /** A Duration-valued option: its name as messages spell it, how to set it, whether ZERO makes sense. */
    record DurationOption(String name, BiConsumer<PoolBuilder<Object>, Duration> setter, boolean zeroAllowed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final DurationOption[] DURATION_OPTIONS = {
        new DurationOption("acquireTimeout", PoolBuilder::acquireTimeout, true),
        new DurationOption("idleTimeout", PoolBuilder::idleTimeout, true),
        new DurationOption("maxLifetime", PoolBuilder::maxLifetime, false),
        new DurationOption("validateAfterIdle", PoolBuilder::validateAfterIdle, true),
        new DurationOption("validationTimeout", PoolBuilder::validationTimeout, false),
        new DurationOption("keepaliveInterval", PoolBuilder::keepaliveInterval, false),
        new DurationOption("maintenanceInterval", PoolBuilder::maintenanceInterval, false),
        new DurationOption("createTimeout", PoolBuilder::createTimeout, false),
        new DurationOption("initializationFailTimeout", PoolBuilder::initializationFailTimeout, true),
        new DurationOption("leakDetection", PoolBuilder::leakDetection, false),
        new DurationOption("shutdownTimeout", PoolBuilder::shutdownTimeout, true),
        new DurationOption("fairness", PoolBuilder::fairness, true),
        new DurationOption("createRetry initial", (b, d) -> b.createRetry(d, Pool.FOREVER), true),
        new DurationOption("createRetry max", (b, d) -> b.createRetry(Duration.ZERO, d), true),
        new DurationOption("circuitBreaker open", (b, d) -> b.circuitBreaker(3, d), false),
    };

    static Stream<DurationOption> durationOptions() {
        return Arrays.stream(DURATION_OPTIONS);
    }

    static Stream<DurationOption> zeroRejected() {
        return durationOptions().filter(o -> !o.zeroAllowed());
    }

    static Stream<DurationOption> zeroAccepted() {
        return durationOptions().filter(DurationOption::zeroAllowed);
    }

    /** Every reference-typed option, given null; the option's name as the message must spell it. */
    static Stream<Arguments> nullCases() {
        return Stream.of(
                nullCase("name", b -> b.name(null)),
                nullCase("acquireTimeout", b -> b.acquireTimeout(null)),
                nullCase("idleTimeout", b -> b.idleTimeout(null)),
                nullCase("maxLifetime", b -> b.maxLifetime(null)),
                nullCase("validateAfterIdle", b -> b.validateAfterIdle(null)),
                nullCase("validationTimeout", b -> b.validationTimeout(null)),
                nullCase("keepaliveInterval", b -> b.keepaliveInterval(null)),
                nullCase("maintenanceInterval", b -> b.maintenanceInterval(null)),
                nullCase("createTimeout", b -> b.createTimeout(null)),
                nullCase("initializationFailTimeout", b -> b.initializationFailTimeout(null)),
                nullCase("createRetry initial", b -> b.createRetry(null, Duration.ofSeconds(1))),
                nullCase("createRetry max", b -> b.createRetry(Duration.ofMillis(1), null)),
                nullCase("circuitBreaker open", b -> b.circuitBreaker(3, null)),
                nullCase("idleOrder", b -> b.idleOrder(null)),
                nullCase("fairness", b -> b.fairness(null)),
                nullCase("leakDetection", b -> b.leakDetection(null)),
                nullCase("invalidateOn", b -> b.invalidateOn(null)),
                nullCase("shutdownTimeout", b -> b.shutdownTimeout(null)),
                nullCase("threadFactory", b -> b.threadFactory(null)),
                nullCase("asyncExecutor", b -> b.asyncExecutor(null)),
                nullCase("ticker", b -> b.ticker(null)),
                nullCase("scheduler", b -> b.scheduler(null)),
                nullCase("validator", b -> b.validator(null)),
                nullCase("resetter", b -> b.resetter(null)),
                nullCase("releaser", b -> b.releaser(null)),
                nullCase("onAcquire", b -> b.onAcquire(null)),
                nullCase("listener", b -> b.listener(null)));
    }

    private static Arguments nullCase(String option, Consumer<PoolBuilder<Object>> call) {
        return arguments(named(option, call), option);
    }

    /** int and long options below their minimum: the exact message of STYLE rule 3. */
    static Stream<Arguments> numbersBelowMinimum() {
        return Stream.of(
                belowMinimum("maxSize", 0, 1, b -> b.maxSize(0)),
                belowMinimum("maxSize", -1, 1, b -> b.maxSize(-1)),
                belowMinimum("maxSize", Integer.MIN_VALUE, 1, b -> b.maxSize(Integer.MIN_VALUE)),
                belowMinimum("minIdle", -1, 0, b -> b.minIdle(-1)),
                belowMinimum("maxWaiters", -1, 0, b -> b.maxWaiters(-1)),
                belowMinimum("maxUses", 0, 1, b -> b.maxUses(0)),
                belowMinimum("maxUses", Long.MIN_VALUE, 1, b -> b.maxUses(Long.MIN_VALUE)),
                belowMinimum("maxConcurrentCreates", 0, 1, b -> b.maxConcurrentCreates(0)),
                belowMinimum("initialSize", -1, 0, b -> b.initialSize(-1)),
                belowMinimum("circuitBreaker failures", 0, 1, b -> b.circuitBreaker(0, Duration.ofSeconds(1))),
                belowMinimum("circuitBreaker failures", -1, 1, b -> b.circuitBreaker(-1, Duration.ofSeconds(1))));
    }

    private static Arguments belowMinimum(String option, long value, long min, Consumer<PoolBuilder<Object>> call) {
        return arguments(named(option + "(" + value + ")", call), option + " must be at least " + min + ", but was " + value);
    }

    static Stream<Arguments> numbersAtMinimum() {
        return Stream.<Consumer<PoolBuilder<Object>>>of(
                b -> b.maxSize(1),
                b -> b.minIdle(0),
                b -> b.maxWaiters(0),
                b -> b.maxUses(1),
                b -> b.maxConcurrentCreates(1),
                b -> b.initialSize(0),
                b -> b.circuitBreaker(1, Duration.ofSeconds(1))).map(Arguments::of);
    }

    // ------------------------------------------------------------------ the entry point

    @Test
    void builderWithoutAFactoryIsRejectedNamingTheFactory() {
        assertThatThrownBy(() -> Pool.builder(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("factory must not be null");
    }

    // ------------------------------------------------------------------ null

    @ParameterizedTest(name = "{0}(null)")
    @MethodSource("nullCases")
    void nullIsRejectedWithAMessageNamingTheOption(Consumer<PoolBuilder<Object>> call, String option) {
        assertThatThrownBy(() -> call.accept(builder()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage(option + " must not be null");
    }

    /** A new reference-typed setter must be added to {@link #nullCases()}, so none escapes this test. */
    @Test
    void nullCasesCoverEveryReferenceTakingSetterOfTheBuilder() {
        Set<String> setters = Arrays.stream(PoolBuilder.class.getMethods())
                .filter(m -> m.getDeclaringClass() != Object.class && !Modifier.isStatic(m.getModifiers()))
                .filter(m -> !m.getName().equals("build"))
                .filter(m -> Arrays.stream(m.getParameterTypes()).anyMatch(p -> !p.isPrimitive()))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> covered = nullCases()
                .map(a -> ((String) a.get()[1]).split(" ")[0])
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(covered).isEqualTo(setters);
    }

    // ------------------------------------------------------------------ numbers

    @ParameterizedTest(name = "{0}")
    @MethodSource("numbersBelowMinimum")
    void numberBelowItsMinimumIsRejectedNamingTheRuleAndTheValue(Consumer<PoolBuilder<Object>> call, String message) {
        assertThatThrownBy(() -> call.accept(builder()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void maxSizeZeroSaysExactlyWhatIsWrong() {
        assertThatThrownBy(() -> builder().maxSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be at least 1, but was 0");
    }

    @ParameterizedTest
    @MethodSource("numbersAtMinimum")
    void numberAtItsMinimumIsAccepted(Consumer<PoolBuilder<Object>> call) {
        assertThatCode(() -> call.accept(builder())).doesNotThrowAnyException();
    }

    /** Reject, never clamp: a refused value leaves the earlier one in place. */
    @Test
    void rejectedValueLeavesThePreviousValueInPlace() {
        PoolBuilder<Object> b = builder().maxSize(5);
        assertThatThrownBy(() -> b.maxSize(0)).isInstanceOf(IllegalArgumentException.class);
        try (Pool<Object> pool = b.build()) {
            assertThat(pool.stats().maxSize()).isEqualTo(5);
        }
    }

    // ------------------------------------------------------------------ durations

    @ParameterizedTest(name = "{0}")
    @MethodSource("durationOptions")
    void negativeDurationIsRejectedNamingTheOptionAndTheValue(DurationOption option) {
        assertThatThrownBy(() -> option.setter().accept(builder(), Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(option.name() + " must ")
                .hasMessageContainingAll("but was ")
                .message().containsAnyOf("PT-5S", "-5000 ms", "-5 s");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("durationOptions")
    void oneNanosecondBelowZeroIsRejectedToo(DurationOption option) {
        assertThatThrownBy(() -> option.setter().accept(builder(), Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(option.name() + " must ");
    }

    @Test
    void negativeDurationMessageHasTheExactForm() {
        assertThatThrownBy(() -> builder().idleTimeout(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleTimeout must not be negative, but was PT-5S");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zeroRejected")
    void zeroIsRejectedWhereItMakesNoSense(DurationOption option) {
        assertThatThrownBy(() -> option.setter().accept(builder(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(option.name() + " must be more than zero")
                .hasMessageEndingWith("but was 0 ms");
    }

    @Test
    void zeroMaxLifetimeSaysHowToSwitchItOff() {
        assertThatThrownBy(() -> builder().maxLifetime(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxLifetime must be more than zero (use Pool.FOREVER to switch it off), but was 0 ms");
    }

    /**
     * {@code circuitBreaker(n, FOREVER)} does not switch the breaker off: it keeps the circuit open
     * for good after n failures (CircuitBreaker never half-opens). A hint that says "use Pool.FOREVER
     * to switch it off" sends the user to the opposite of what they want.
     */
    @Test
    void zeroCircuitOpenTimeDoesNotSuggestForeverAsTheWayToSwitchTheBreakerOff() {
        assertThatThrownBy(() -> builder().circuitBreaker(3, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("circuitBreaker open must be more than zero")
                .hasMessageContaining("but was 0 ms")
                .hasMessageNotContaining("Pool.FOREVER to switch it off");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zeroAccepted")
    void zeroIsAcceptedWhereItMeansAtOnce(DurationOption option) {
        assertThatCode(() -> option.setter().accept(builder(), Duration.ZERO)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("durationOptions")
    void foreverIsAccepted(DurationOption option) {
        assertThatCode(() -> option.setter().accept(builder(), Pool.FOREVER)).doesNotThrowAnyException();
    }

    /** FOREVER's toNanos() overflows: a pool built with it must still start, serve and close. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("durationOptions")
    void poolWithForeverBuildsServesAndCloses(DurationOption option) throws Exception {
        PoolBuilder<Object> b = builder().name("forever-" + option.name().replace(' ', '-'));
        option.setter().accept(b, Pool.FOREVER);
        try (Pool<Object> pool = b.build()) {
            try (Lease<Object> lease = pool.acquire(Duration.ofSeconds(5))) {
                assertThat(lease.get()).isNotNull();
            }
            assertThat(pool.stats().idle()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zeroAccepted")
    void poolWithZeroWhereAllowedBuildsServesAndCloses(DurationOption option) throws Exception {
        PoolBuilder<Object> b = builder().name("zero-" + option.name().replace(' ', '-'));
        option.setter().accept(b, Duration.ZERO);
        try (Pool<Object> pool = b.build()) {
            try (Lease<Object> lease = pool.acquire(Duration.ofSeconds(5))) {
                assertThat(lease.get()).isNotNull();
            }
        }
    }

    // ------------------------------------------------------------------ createRetry

    @Test
    void createRetryInitialAboveMaxIsRejectedNamingBoth() {
        assertThatThrownBy(() -> builder().createRetry(Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("createRetry initial (")
                .hasMessageContaining("must not exceed max")
                .message().containsAnyOf("PT5S", "5000 ms").containsAnyOf("PT1S", "1000 ms");
    }

    @Test
    void createRetryEqualBoundsAreAccepted() {
        assertThatCode(() -> builder().createRetry(Duration.ofSeconds(1), Duration.ofSeconds(1))).doesNotThrowAnyException();
    }

    // ------------------------------------------------------------------ lifetimeJitter

    @ParameterizedTest
    @ValueSource(doubles = {-0.1, 1.1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0001})
    void lifetimeJitterOutsideZeroToOneIsRejectedNamingTheValue(double jitter) {
        assertThatThrownBy(() -> builder().lifetimeJitter(jitter))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lifetimeJitter must be between 0.0 and 1.0, but was " + jitter);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.5, 1.0})
    void lifetimeJitterFromZeroToOneIsAccepted(double jitter) {
        assertThatCode(() -> builder().lifetimeJitter(jitter)).doesNotThrowAnyException();
    }

    // ------------------------------------------------------------------ name

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "   ", "\t"})
    void blankNameIsRejected(String name) {
        assertThatThrownBy(() -> builder().name(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("name must not be blank, but was \"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders\u0007db", "orders\ndb", "orders\u0000db", "orders\u007fdb"})
    void nameWithAControlCharacterIsRejected(String name) {
        assertThatThrownBy(() -> builder().name(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("name must not contain control characters");
    }

    /**
     * STYLE rule 3: the message must show the rejected value. "had one at index 6" does not say
     * which name was refused; in a service with many pools the reader cannot tell which one. The
     * value can be shown safely with the control character escaped.
     */
    @Test
    void nameWithAControlCharacterIsRejectedShowingTheRejectedName() {
        assertThatThrownBy(() -> builder().name("orders\u0007db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("name must not contain control characters")
                .hasMessageContainingAll("orders", "db")
                .hasMessageNotContaining("\u0007");
    }

    @Test
    void overlongNameIsRejectedNamingTheLength() {
        assertThatThrownBy(() -> builder().name("x".repeat(129)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must be at most 128 characters, but was 129");
        assertThatCode(() -> builder().name("x".repeat(128))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders-db", "pool 1", "ünïcode-池", "a"})
    void printableNameIsAccepted(String name) {
        assertThatCode(() -> builder().name(name)).doesNotThrowAnyException();
    }
}
