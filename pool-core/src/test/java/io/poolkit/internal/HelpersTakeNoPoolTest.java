package io.poolkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * STYLE 17 for the core: a helper of {@link CorePool} is given a {@link PoolContext} and the
 * siblings it uses, never the pool itself. A helper that took the pool could reach all of it, and
 * the seams ARCHITECTURE.md describes would be gone again without anyone noticing.
 */
class HelpersTakeNoPoolTest {

    /** Every helper the pool builds; the pool's own handles (LeaseImpl, PoolMXBeanImpl) and the keyed pool's classes hold pools by design. */
    private static final List<Class<?>> HELPERS = List.of(SlotTable.class, Gate.class, WaitQueue.class, Waiter.class,
            Dispatcher.class, Creator.class, Destroyer.class, Recycler.class, LeaseChecks.class, ValidationTask.class,
            AsyncAcquire.class, AsyncAcquire.Env.class, AsyncAcquire.Waiting.class, Maintenance.class, Admin.class,
            Diagnostics.class, Shutdown.class, PoolContext.class, CircuitBreaker.class, Listeners.class, Counters.class);

    @Test
    void noHelperHoldsOrIsGivenTheWholePool() {
        List<String> reaches = new ArrayList<>();
        for (Class<?> helper : HELPERS) {
            for (Field f : helper.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && CorePool.class.isAssignableFrom(f.getType())) {
                    reaches.add(helper.getSimpleName() + "." + f.getName());
                }
            }
            for (Constructor<?> c : helper.getDeclaredConstructors()) {
                if (Stream.of(c.getParameterTypes()).anyMatch(CorePool.class::isAssignableFrom)) {
                    reaches.add(helper.getSimpleName() + "(" + c + ")");
                }
            }
        }
        assertThat(reaches).as("helpers that hold or are given the CorePool (give them a PoolContext and the siblings they use)")
                .isEmpty();
    }
}
