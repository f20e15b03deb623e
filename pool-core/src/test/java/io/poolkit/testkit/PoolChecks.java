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
        // Background work (a destroy after an abandoned validation, a late create) may still start;
        // wait, bounded, for a snapshot with nothing in flight, then check it exactly.
        PoolStats[] last = new PoolStats[1];
        try {
            Await.until(Duration.ofSeconds(10), () -> {
                PoolStats s = stats.get();
                last[0] = s;
                return s.creating() == 0 && s.destroying() == 0 && s.created() == s.destroyed() + s.idle() + s.leased();
            }, () -> "a settled snapshot: " + stats.get());
        } catch (AssertionError settledNever) {
            // fall through: the assertions below say exactly what does not hold
        }
        PoolStats s = last[0];
        assertThat(s.creating() + s.destroying()).as("creates and destroys settled in %s", s).isZero();
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
        // a resource under an abandoned validation stays leased until its check returns, then is destroyed
        Await.until(Duration.ofSeconds(10), () -> {
            PoolStats now = stats.get();
            return factory.alive().size() == now.idle() + now.leased() && factory.destroyed() == now.destroyed();
        }, () -> "resources alive (" + factory.alive().size() + ") to match idle + leased in " + stats.get());
        return assertCountsRule(stats);
    }
}
