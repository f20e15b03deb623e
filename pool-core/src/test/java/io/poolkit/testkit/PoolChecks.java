package io.poolkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.PoolStats;
import java.time.Duration;
import java.util.function.Supplier;

/** Checks every test makes of a pool once its background work has settled. */
public final class PoolChecks {
    private PoolChecks() {
    }

    /**
     * Waits (bounded) until no create or destroy is in flight, then checks the counts rule
     * {@code created == destroyed + idle + leased} and {@code size == idle + leased}.
     */
    public static PoolStats assertCountsRule(Supplier<PoolStats> stats) {
        Await.until(Duration.ofSeconds(10), () -> {
            PoolStats s = stats.get();
            return s.creating() == 0 && s.destroying() == 0;
        }, () -> "creates and destroys to settle: " + stats.get());
        PoolStats s = stats.get();
        assertThat(s.created())
                .as("counts rule created == destroyed + idle + leased in %s", s)
                .isEqualTo(s.destroyed() + s.idle() + s.leased());
        assertThat(s.size()).as("size == idle + leased in %s", s).isEqualTo(s.idle() + s.leased());
        assertThat(s.destroyedByReason().values().stream().mapToLong(Long::longValue).sum())
                .as("destroyed == sum of destroyedByReason in %s", s).isEqualTo(s.destroyed());
        return s;
    }

    /** The counts rule, plus: the factory saw exactly as many creates and destroys as the pool says. */
    public static PoolStats assertBooksBalance(Supplier<PoolStats> stats, TestFactory factory) {
        PoolStats s = assertCountsRule(stats);
        assertThat(factory.doubleDestroys()).as("resources destroyed twice").isZero();
        Await.until(Duration.ofSeconds(10), () -> factory.destroyed() == stats.get().destroyed(),
                () -> "factory destroys (" + factory.destroyed() + ") to match the pool's (" + stats.get().destroyed() + ")");
        assertThat(factory.created()).as("factory creates vs pool's created").isEqualTo(stats.get().created());
        assertThat(factory.alive()).as("resources alive vs idle + leased").hasSize(s.idle() + s.leased());
        return s;
    }
}
