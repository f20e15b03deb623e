package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.ManualClock;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link CommonsPoolAdapters} with a real commons-pool2 {@link BasePooledObjectFactory}: makeObject →
 * create, validateObject → validate, passivateObject → reset, destroyObject → destroy, and
 * activateObject on every lease through {@code onAcquire}.
 */
@Timeout(30)
class CommonsPoolAdaptersTest extends ApiTestSupport {
    private final ManualClock clock = new ManualClock(); // validation on acquire stays off unless time moves

    static final class Conn {
        final int id;
        volatile boolean valid = true;
        volatile boolean failPassivate;
        volatile boolean failActivate;

        Conn(int id) {
            this.id = id;
        }
    }

    /** A commons-pool2 factory that logs every callback it gets, with the wrapper it got. */
    static final class ConnFactory extends BasePooledObjectFactory<Conn> {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Set<PooledObject<Conn>> wrappers = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        private final AtomicInteger ids = new AtomicInteger();

        List<String> callsOf(Conn c) {
            return calls.stream().filter(s -> s.endsWith(" " + c.id)).toList();
        }

        @Override
        public Conn create() {
            Conn c = new Conn(ids.incrementAndGet());
            calls.add("make " + c.id);
            return c;
        }

        @Override
        public PooledObject<Conn> wrap(Conn obj) {
            return new DefaultPooledObject<>(obj);
        }

        private Conn seen(String what, PooledObject<Conn> p) {
            wrappers.add(p);
            calls.add(what + " " + p.getObject().id);
            return p.getObject();
        }

        @Override
        public void activateObject(PooledObject<Conn> p) {
            if (seen("activate", p).failActivate) {
                throw new IllegalStateException("cannot activate");
            }
        }

        @Override
        public boolean validateObject(PooledObject<Conn> p) {
            return seen("validate", p).valid;
        }

        @Override
        public void passivateObject(PooledObject<Conn> p) {
            if (seen("passivate", p).failPassivate) {
                throw new IllegalStateException("cannot passivate");
            }
        }

        @Override
        public void destroyObject(PooledObject<Conn> p) {
            seen("destroy", p);
        }
    }

    @Test
    void theBuilderMapsEveryCallbackOfTheCommonsFactory() throws Exception {
        ConnFactory f = new ConnFactory();
        Pool<Conn> pool = track(CommonsPoolAdapters.builder(f).ticker(clock).scheduler(clock).maxSize(1).validateOnReturn(true).build());
        Conn c;
        try (Lease<Conn> l = pool.acquire(Duration.ofSeconds(5))) {
            c = l.get();
            assertThat(f.callsOf(c)).as("made, then activated before the caller got it").containsExactly("make 1", "activate 1");
        }
        assertThat(f.callsOf(c)).as("passivated (reset) and validated on return")
                .containsExactlyInAnyOrder("make 1", "activate 1", "passivate 1", "validate 1");
        try (Lease<Conn> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).isSameAs(c);
        }
        assertThat(f.callsOf(c).stream().filter(s -> s.startsWith("activate"))).as("activated on every lease").hasSize(2);
        pool.acquire(Duration.ofSeconds(5)).invalidate();
        Await.until(() -> f.callsOf(c).contains("destroy 1"), () -> "destroyObject called: " + f.calls);
        assertThat(f.wrappers).as("every callback got the wrapper makeObject gave the object").hasSize(1)
                .allMatch(p -> p.getObject() == c);
        assertThat(f.callsOf(c).stream().filter(s -> s.equals("destroy 1"))).as("destroyed exactly once").hasSize(1);
    }

    @Test
    void validateObjectFalseDestroysTheObjectThroughDestroyObject() throws Exception {
        ConnFactory f = new ConnFactory();
        Pool<Conn> pool = track(CommonsPoolAdapters.builder(f).ticker(clock).scheduler(clock).maxSize(1).validateOnReturn(true).build());
        Conn c;
        try (Lease<Conn> l = pool.acquire(Duration.ofSeconds(5))) {
            c = l.get();
            c.valid = false;
        }
        Await.until(() -> f.callsOf(c).contains("destroy 1") && pool.stats().destroyedBy(DestroyReason.VALIDATION_FAILED) == 1,
                () -> "destroyed after validateObject said false: " + f.calls + " " + pool.stats());
        try (Lease<Conn> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get().id).isEqualTo(2);
        }
    }

    @Test
    void aPassivateObjectThatThrowsDestroysTheObjectAsResetFailed() throws Exception {
        ConnFactory f = new ConnFactory();
        Pool<Conn> pool = track(CommonsPoolAdapters.builder(f).ticker(clock).scheduler(clock).maxSize(1).build());
        Conn c;
        try (Lease<Conn> l = pool.acquire(Duration.ofSeconds(5))) {
            c = l.get();
            c.failPassivate = true;
        }
        Await.until(() -> f.callsOf(c).contains("destroy 1") && pool.stats().destroyedBy(DestroyReason.RESET_FAILED) == 1,
                () -> "destroyed after passivateObject threw: " + f.calls + " " + pool.stats());
    }

    @Test
    void anActivateObjectThatThrowsDestroysTheObjectAndTheAcquireGetsAnother() throws Exception {
        ConnFactory f = new ConnFactory();
        Pool<Conn> pool = track(CommonsPoolAdapters.builder(f).ticker(clock).scheduler(clock).maxSize(1).build());
        Conn first;
        try (Lease<Conn> l = pool.acquire(Duration.ofSeconds(5))) {
            first = l.get();
        }
        first.failActivate = true;
        try (Lease<Conn> l = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).isNotSameAs(first);
            assertThat(f.callsOf(l.get())).contains("activate 2");
        }
        Await.until(() -> f.callsOf(first).contains("destroy 1"), () -> "the object that failed activation destroyed: " + f.calls);
    }

    @Test
    void theBareFactoryAdapterMapsMakeValidatePassivateDestroyButNotActivate() throws Exception {
        ConnFactory f = new ConnFactory();
        ResourceFactory<Conn> adapted = CommonsPoolAdapters.factory(f);
        Pool<Conn> pool = track(Pool.builder(adapted).ticker(clock).scheduler(clock).maxSize(1).validateOnReturn(true).build());
        Conn c;
        try (Lease<Conn> l = pool.acquire(Duration.ofSeconds(5))) {
            c = l.get();
        }
        pool.close();
        Await.until(() -> f.callsOf(c).contains("destroy 1"), () -> "destroyed at shutdown: " + f.calls);
        assertThat(f.callsOf(c)).containsExactlyInAnyOrder("make 1", "passivate 1", "validate 1", "destroy 1");
    }

    @Test
    void shutdownCallsDestroyObjectForEveryObject() throws Exception {
        ConnFactory f = new ConnFactory();
        Pool<Conn> pool = track(CommonsPoolAdapters.builder(f).ticker(clock).scheduler(clock).maxSize(3).build());
        assertThat(pool.warmUp(3)).isEqualTo(3);
        Lease<Conn> held = pool.acquire(Duration.ofSeconds(5));
        held.close();
        assertThat(pool.shutdown(Duration.ofSeconds(5))).isTrue();
        assertThat(f.calls.stream().filter(s -> s.startsWith("destroy"))).hasSize(3);
        assertThat(f.calls.stream().filter(s -> s.startsWith("make"))).hasSize(3);
    }
}
