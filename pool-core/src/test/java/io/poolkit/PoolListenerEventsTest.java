package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.ManualClock;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestFactory.Behaviour;
import io.poolkit.testkit.TestResource;
import io.poolkit.testkit.Threads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PoolListener}: every event, with its arguments. Time is a {@link ManualClock}, so waits
 * and hold times are exact.
 */
@Timeout(30)
class PoolListenerEventsTest extends ApiTestSupport {
    private static final long MS = 1_000_000L;

    private final ManualClock clock = new ManualClock();

    record Event(String kind, Object resource, long nanos, Object detail) {
    }

    /** Records every event in order. */
    static final class Recorder implements PoolListener<TestResource> {
        final List<Event> events = new CopyOnWriteArrayList<>();

        List<Event> of(String kind) {
            return events.stream().filter(e -> e.kind.equals(kind)).toList();
        }

        @Override
        public void created(TestResource resource) {
            events.add(new Event("created", resource, 0, null));
        }

        @Override
        public void createFailed(Throwable failure) {
            events.add(new Event("createFailed", null, 0, failure));
        }

        @Override
        public void acquired(TestResource resource, long waitNanos) {
            events.add(new Event("acquired", resource, waitNanos, null));
        }

        @Override
        public void returned(TestResource resource, long heldNanos) {
            events.add(new Event("returned", resource, heldNanos, null));
        }

        @Override
        public void destroyed(TestResource resource, DestroyReason reason) {
            events.add(new Event("destroyed", resource, 0, reason));
        }

        @Override
        public void timedOut(long waitNanos) {
            events.add(new Event("timedOut", null, waitNanos, null));
        }

        @Override
        public void rejected(PoolException reason) {
            events.add(new Event("rejected", null, 0, reason));
        }
    }

    private Pool<TestResource> pool(TestFactory f, Recorder recorder) {
        return open(f, b -> b.maxSize(1).maxWaiters(1).ticker(clock).scheduler(clock).listener(recorder));
    }

    @Test
    void createdAcquiredAndReturnedCarryTheResourceAndExactTimes() throws Exception {
        Recorder rec = new Recorder();
        Pool<TestResource> pool = pool(new TestFactory(), rec);
        Lease<TestResource> first = pool.acquire(Duration.ofSeconds(10));
        TestResource r = first.get();
        Await.until(() -> rec.of("created").size() == 1, () -> "created: " + rec.events);
        assertThat(rec.of("created")).containsExactly(new Event("created", r, 0, null));
        assertThat(rec.of("acquired")).as("the pool clock did not move while the create ran")
                .containsExactly(new Event("acquired", r, 0, null));

        clock.advance(Duration.ofMillis(40));
        first.close();
        assertThat(rec.of("returned")).containsExactly(new Event("returned", r, 40 * MS, null));

        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(10));
        assertThat(rec.of("acquired")).as("an idle resource at hand: no wait").last().isEqualTo(new Event("acquired", r, 0, null));
        Threads.run(2, Duration.ofSeconds(20), i -> {
            if (i == 0) {
                pool.acquire(Duration.ofSeconds(10)).close();
                return;
            }
            Await.until(() -> pool.stats().waiting() == 1, () -> "a waiter: " + pool.stats());
            clock.advance(Duration.ofMillis(250));
            held.close();
        });
        assertThat(rec.of("returned")).extracting(Event::nanos).containsExactly(40 * MS, 250 * MS, 0L);
        assertThat(rec.of("acquired")).extracting(Event::nanos).as("the waiter waited 250 ms").containsExactly(0L, 0L, 250 * MS);
        assertThat(rec.events).extracting(Event::resource).containsOnly(r);
    }

    @Test
    void timedOutCarriesHowLongTheCallerWaited() throws Exception {
        Recorder rec = new Recorder();
        Pool<TestResource> pool = pool(new TestFactory(), rec);
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(10));
        Threads.run(2, Duration.ofSeconds(20), i -> {
            if (i == 0) {
                assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(300))).isInstanceOf(PoolTimeoutException.class);
                return;
            }
            Await.until(() -> pool.stats().waiting() == 1, () -> "a waiter: " + pool.stats());
            clock.advance(Duration.ofMillis(300));
        });
        assertThat(rec.of("timedOut")).containsExactly(new Event("timedOut", null, 300 * MS, null));
        assertThatThrownBy(() -> pool.acquire(Duration.ZERO)).isInstanceOf(PoolTimeoutException.class);
        assertThat(rec.of("timedOut")).extracting(Event::nanos).containsExactly(300 * MS, 0L);
        assertThat(pool.stats().timeouts()).isEqualTo(2);
        held.close();
    }

    @Test
    void rejectedCarriesTheExceptionTheRefusedCallerGot() throws Exception {
        Recorder rec = new Recorder();
        Pool<TestResource> pool = pool(new TestFactory(), rec);
        Lease<TestResource> held = pool.acquire(Duration.ofSeconds(10));
        Threads.run(2, Duration.ofSeconds(20), i -> {
            if (i == 0) {
                pool.acquire(Duration.ofSeconds(10)).close();
                return;
            }
            Await.until(() -> pool.stats().waiting() == 1, () -> "a waiter: " + pool.stats());
            PoolExhaustedException e = catchThrowableOfType(PoolExhaustedException.class, () -> pool.acquire(Duration.ofSeconds(10)));
            assertThat(e).isNotNull();
            assertThat(rec.of("rejected")).extracting(Event::detail).containsExactly(e);
            held.close();
        });
    }

    @Test
    void destroyedCarriesTheResourceAndTheReason() throws Exception {
        Recorder rec = new Recorder();
        Pool<TestResource> pool = pool(new TestFactory(), rec);
        Lease<TestResource> l = pool.acquire(Duration.ofSeconds(10));
        TestResource r = l.get();
        l.invalidate();
        Await.until(() -> rec.of("destroyed").size() == 1, () -> "destroyed: " + rec.events);
        assertThat(rec.of("destroyed")).containsExactly(new Event("destroyed", r, 0, DestroyReason.INVALIDATED));

        try (Lease<TestResource> next = pool.acquire(Duration.ofSeconds(10))) {
            r = next.get();
        }
        pool.evictIdle();
        TestResource evicted = r;
        Await.until(() -> rec.of("destroyed").size() == 2, () -> "destroyed: " + rec.events);
        assertThat(rec.of("destroyed")).last().isEqualTo(new Event("destroyed", evicted, 0, DestroyReason.EVICTED));
    }

    @Test
    void aHoldersFailedResetIsDestroyedAsResetFailedAndIsANoOpAfterClose() throws Exception {
        Recorder rec = new Recorder();
        Pool<TestResource> pool = pool(new TestFactory(), rec);
        Lease<TestResource> l = pool.acquire(Duration.ofSeconds(10));
        TestResource r = l.get();
        l.resetFailed();
        l.resetFailed(); // the lease is over: nothing more
        Await.until(() -> rec.of("destroyed").size() == 1, () -> "destroyed: " + rec.events);
        assertThat(rec.of("destroyed")).containsExactly(new Event("destroyed", r, 0, DestroyReason.RESET_FAILED));
        assertThat(pool.stats().destroyedBy(DestroyReason.RESET_FAILED)).isEqualTo(1);
        assertThat(pool.stats().destroyedBy(DestroyReason.INVALIDATED)).isZero();
        try (Lease<TestResource> next = pool.acquire(Duration.ofSeconds(10))) {
            next.close();
            next.resetFailed();
        }
        assertThat(pool.stats().destroyed()).as("resetFailed after close is a no-op").isEqualTo(1);
    }

    @Test
    void createFailedCarriesWhatTheFactoryThrew() throws Exception {
        Recorder rec = new Recorder();
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = pool(f, rec);
        f.onCreate = Behaviour.failing("backend down");
        Threads.run(2, Duration.ofSeconds(20), i -> {
            if (i == 0) {
                pool.acquire(Duration.ofSeconds(10)).close();
                return;
            }
            // the event fires inside the failed create; its retry is scheduled just after: wait for both
            Await.until(() -> rec.of("createFailed").size() == 1 && pool.stats().creating() == 0 && clock.pending() >= 2,
                    () -> "a failed create and its retry scheduled: " + rec.events + ", pending " + clock.pending());
            f.onCreate = Behaviour.normal();
            clock.advance(Duration.ofSeconds(1)); // past the retry back-off
        });
        Throwable failure = (Throwable) rec.of("createFailed").get(0).detail();
        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("backend down");
        assertThat(rec.of("created")).hasSize(1);
        assertThat(pool.stats().createFailures()).isEqualTo(1);
    }

    @Test
    void aListenerAddedAfterBuildReceivesEventsUntilItsRegistrationIsClosed() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).ticker(clock).scheduler(clock));
        pool.acquire(Duration.ofSeconds(10)).close();
        Recorder rec = new Recorder();
        Registration registration = pool.addListener(rec);
        Lease<TestResource> l = pool.acquire(Duration.ofSeconds(10));
        l.close();
        assertThat(rec.events).extracting(Event::kind).containsExactly("acquired", "returned");
        registration.close();
        registration.close(); // idempotent
        pool.acquire(Duration.ofSeconds(10)).invalidate();
        Await.until(() -> pool.stats().destroying() == 0 && pool.stats().destroyed() == 1, () -> "destroyed: " + pool.stats());
        assertThat(rec.events).as("nothing after the registration closed").hasSize(2);
    }

    @Test
    void aThrowingListenerDoesNotBreakThePool() throws Exception {
        PoolListener<TestResource> throwing = new PoolListener<>() {
            @Override
            public void created(TestResource resource) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void createFailed(Throwable failure) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void acquired(TestResource resource, long waitNanos) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void returned(TestResource resource, long heldNanos) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void destroyed(TestResource resource, DestroyReason reason) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void timedOut(long waitNanos) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void rejected(PoolException reason) {
                throw new IllegalStateException("listener bug");
            }
        };
        Recorder after = new Recorder();
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.maxSize(1).maxWaiters(0).listener(throwing).listener(after));
        assertThat(pool.warmUp(1)).isEqualTo(1);
        Lease<TestResource> l = pool.acquire(Duration.ofSeconds(5));
        assertThatThrownBy(() -> pool.acquire(Duration.ZERO)).isInstanceOf(PoolTimeoutException.class);
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(1))).isInstanceOf(PoolExhaustedException.class);
        l.close();
        assertThat(pool.stats().idle()).isEqualTo(1);
        pool.acquire(Duration.ofSeconds(5)).invalidate();
        Await.until(() -> pool.stats().size() == 0, () -> "the invalidated one's slot freed: " + pool.stats());
        f.onCreate = Behaviour.failing("backend down");
        assertThat(pool.warmUp(1)).isZero();
        assertThat(pool.stats().createFailures()).isEqualTo(1);
        f.onCreate = Behaviour.normal();
        assertThat(pool.warmUp(1)).isEqualTo(1);
        try (Lease<TestResource> again = pool.acquire(Duration.ofSeconds(5))) {
            again.get().touch();
        }
        assertThat(after.events).as("a listener after the throwing one still hears everything").extracting(Event::kind)
                .contains("created", "acquired", "timedOut", "rejected", "returned", "destroyed", "createFailed");
    }
}
