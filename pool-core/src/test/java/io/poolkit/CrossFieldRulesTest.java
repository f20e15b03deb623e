package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * STYLE rule 3, second half: rules between options are checked at {@code build()}, with both values
 * in the message; and a build that fails, at any step, leaves nothing behind: no thread named after
 * the pool, no JMX bean, no hold on the shared coarse clock.
 */
@Timeout(30)
class CrossFieldRulesTest {
    private static final AtomicInteger UNIQUE = new AtomicInteger();

    private static String uniqueName(String prefix) {
        return prefix + "-" + UNIQUE.incrementAndGet();
    }

    // ------------------------------------------------------------------ the rules

    @Test
    void minIdleAboveMaxSizeIsRejectedAtBuildNamingBothValues() {
        PoolBuilder<Object> b = Pool.builder(Object::new).maxSize(10).minIdle(12);
        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minIdle (12) must not exceed maxSize (10)");
    }

    /** Each setter alone is valid whatever the order; only build() can see the contradiction. */
    @Test
    void minIdleAboveMaxSizeIsRejectedWhateverTheOrderTheyWereSet() {
        PoolBuilder<Object> b = Pool.builder(Object::new).minIdle(12).maxSize(10);
        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minIdle (12) must not exceed maxSize (10)");
    }

    @Test
    void minIdleAboveTheDefaultMaxSizeIsRejectedNamingTheDefault() {
        assertThatThrownBy(() -> Pool.builder(Object::new).minIdle(11).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minIdle (11) must not exceed maxSize (10)");
    }

    @Test
    void minIdleEqualToMaxSizeIsAccepted() {
        try (Pool<Object> pool = Pool.builder(Object::new).maxSize(2).minIdle(2).build()) {
            assertThat(pool.stats().maxSize()).isEqualTo(2);
        }
    }

    @Test
    void initialSizeAboveMaxSizeIsRejectedAtBuildNamingBothValues() {
        assertThatThrownBy(() -> Pool.builder(Object::new).maxSize(3).initialSize(4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initialSize (4) must not exceed maxSize (3)");
    }

    @Test
    void initialSizeEqualToMaxSizeIsAcceptedAndCreatesThemAll() {
        TestFactory f = new TestFactory();
        try (Pool<TestResource> pool = Pool.builder(f).maxSize(3).initialSize(3).build()) {
            assertThat(pool.stats().idle()).isEqualTo(3);
        }
    }

    /** DESIGN: a hook defined on the factory and on the builder is rejected, naming both. */
    @Test
    void destroyDefinedOnTheFactoryAndAsReleaserIsRejectedNamingBoth() {
        TestFactory f = new TestFactory();
        assertThatThrownBy(() -> Pool.builder(f).releaser(r -> { }).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("destroy", ".releaser(..)", TestFactory.class.getName());
    }

    @Test
    void validateDefinedOnTheFactoryAndAsValidatorIsRejectedNamingBoth() {
        TestFactory f = new TestFactory();
        assertThatThrownBy(() -> Pool.builder(f).validator(r -> true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("validate", ".validator(..)", TestFactory.class.getName());
    }

    @Test
    void resetDefinedOnTheFactoryAndAsResetterIsRejectedNamingBoth() {
        TestFactory f = new TestFactory();
        assertThatThrownBy(() -> Pool.builder(f).resetter(r -> { }).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("reset", ".resetter(..)", TestFactory.class.getName());
    }

    // ------------------------------------------------------------------ a failed build leaves nothing behind

    @Test
    void buildRejectedByACrossFieldRuleStartsNoThreadAndRegistersNoBean() throws Exception {
        String name = uniqueName("crossfield");
        int clockUsers = coarseClockUsers();
        assertThatThrownBy(() -> Pool.builder(Object::new).name(name).jmx(true).maxSize(2).minIdle(3).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertNothingLeftRunning(name, clockUsers);
    }

    @Test
    void buildRejectedForAHookDefinedTwiceStartsNoThreadAndRegistersNoBean() throws Exception {
        String name = uniqueName("twice");
        int clockUsers = coarseClockUsers();
        assertThatThrownBy(() -> Pool.builder(new TestFactory()).name(name).jmx(true).releaser(r -> { }).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertNothingLeftRunning(name, clockUsers);
    }

    @Test
    void buildFailingItsInitialCreatesFailsWithTheCauseAndStopsEverythingItStarted() throws Exception {
        String name = uniqueName("initfail");
        TestFactory f = new TestFactory();
        f.onCreate = TestFactory.Behaviour.failing("backend down");
        int clockUsers = coarseClockUsers();
        Throwable failure = catchThrowable(() -> Pool.builder(f).name(name).jmx(true).maxSize(3).minIdle(1)
                .initialSize(2).initializationFailTimeout(Duration.ofMillis(50)).build());
        assertThat(failure)
                .isInstanceOf(ResourceCreationException.class)
                .hasMessageStartingWith(name + " - ")
                .hasMessageContaining("initializationFailTimeout");
        assertThat(failure.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("backend down");
        assertThat(f.createCalls()).as("the factory was tried").isPositive();
        assertNothingLeftRunning(name, clockUsers);
        assertThat(f.hookThreads()).as("threads that ran create()").noneMatch(Thread::isAlive);
    }

    /** Half the initial creates succeed, then the rest fail: build succeeds, the ones made are kept. */
    @Test
    void buildWithSomeInitialCreatesFailingStillStarts() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Pool<Object> pool = Pool.builder(() -> {
            if (calls.incrementAndGet() > 1) {
                throw new IllegalStateException("only one");
            }
            return new Object();
        }).maxSize(3).initialSize(3).build()) {
            assertThat(pool.stats().idle()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void secondPoolWithATakenJmxNameFailsNamingTheNameAndLeavesTheFirstRegistered() throws Exception {
        String name = uniqueName("jmxdup");
        try (Pool<Object> first = Pool.builder(Object::new).name(name).jmx(true).build()) {
            assertThat(beanRegistered(name)).isTrue();
            TrackingThreads threads = new TrackingThreads();
            int clockUsers = coarseClockUsers();
            assertThatThrownBy(() -> Pool.builder(Object::new).name(name).jmx(true).threadFactory(threads).minIdle(1).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith(name + " - ")
                    .hasMessageContaining("already registered")
                    .hasMessageContaining("name(..)");
            assertThat(beanRegistered(name)).as("the first pool's bean survives the second's failure").isTrue();
            Await.until(Duration.ofSeconds(5), threads::allEnded, () -> "threads of the failed build to end: " + threads.alive());
            assertThat(coarseClockUsers()).as("coarse clock holds after the failed build").isEqualTo(clockUsers);
            try (Lease<Object> lease = first.acquire(Duration.ofSeconds(5))) {
                assertThat(lease.get()).isNotNull();
            }
        }
        assertThat(beanRegistered(name)).isFalse();
    }

    /**
     * maxSize has no upper bound in its setter, but the engine allocates a slot per unit of maxSize
     * at build. A value it cannot honour must be refused with a message (STYLE rule 3), not end in
     * an {@link Error} thrown from inside build() after the pool's runtime was started, which then
     * stays started.
     */
    @Test
    void hugeMaxSizeIsEitherServedOrRejectedWithAMessageNeverAnError() throws Exception {
        String name = uniqueName("huge");
        int clockUsers = coarseClockUsers();
        Throwable failure = catchThrowable(() -> {
            try (Pool<Object> pool = Pool.builder(Object::new).name(name).maxSize(Integer.MAX_VALUE).build()) {
                pool.acquire(Duration.ofSeconds(5)).close();
            }
        });
        SoftAssertions soft = new SoftAssertions();
        if (failure != null) {
            soft.assertThat(failure).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxSize ");
        }
        soft.assertThat(threadsNamedAfter(name)).as("threads named after the pool").isEmpty();
        soft.assertThat(coarseClockUsers()).as("pools holding the shared coarse clock after the failed build")
                .isEqualTo(clockUsers);
        soft.assertAll();
    }

    @Test
    void closedPoolLeavesNoThreadAndNoBean() throws Exception {
        String name = uniqueName("closed");
        int clockUsers = coarseClockUsers();
        Pool<Object> pool = Pool.builder(Object::new).name(name).jmx(true).minIdle(1).build();
        pool.acquire(Duration.ofSeconds(5)).close();
        assertThat(threadsNamedAfter(name)).isNotEmpty();
        assertThat(beanRegistered(name)).isTrue();
        pool.close();
        assertNothingLeftRunning(name, clockUsers);
    }

    // ------------------------------------------------------------------ helpers

    /** Bounded wait: a stopped executor's threads end shortly after shutdown, not at once. */
    private static void assertNothingLeftRunning(String name, int clockUsersBefore) throws Exception {
        Await.until(Duration.ofSeconds(5), () -> threadsNamedAfter(name).isEmpty(),
                () -> "no thread named after " + name + ", but found " + threadsNamedAfter(name));
        assertThat(beanRegistered(name)).as("JMX bean of %s", name).isFalse();
        assertThat(coarseClockUsers()).as("pools holding the shared coarse clock").isEqualTo(clockUsersBefore);
    }

    private static List<String> threadsNamedAfter(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.contains(name))
                .sorted()
                .collect(Collectors.toList());
    }

    private static boolean beanRegistered(String name) throws MalformedObjectNameException {
        return ManagementFactory.getPlatformMBeanServer()
                .isRegistered(new ObjectName("io.poolkit:type=Pool,name=" + name));
    }

    /**
     * How many pools hold the shared coarse-clock thread (io.poolkit.internal.CoarseClock.users).
     * Read by reflection: the clock thread's name carries no pool name, so a leaked hold is
     * otherwise invisible while any other pool in this JVM is open.
     */
    private static int coarseClockUsers() throws ReflectiveOperationException {
        Class<?> c = Class.forName("io.poolkit.internal.CoarseClock");
        Field users = c.getDeclaredField("users");
        users.setAccessible(true);
        return users.getInt(null);
    }

    /** Records every thread it makes, so a test can check they all ended. */
    static final class TrackingThreads implements ThreadFactory {
        private final Set<Thread> made = ConcurrentHashMap.newKeySet();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "tracked-" + made.size());
            t.setDaemon(true);
            made.add(t);
            return t;
        }

        boolean allEnded() {
            return made.stream().noneMatch(Thread::isAlive);
        }

        List<String> alive() {
            return made.stream().filter(Thread::isAlive).map(Thread::getName).collect(Collectors.toList());
        }
    }
}
