package io.poolkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Pool;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DESIGN "every duration is a threshold": {@code Pool.FOREVER.toNanos()} overflows, so all
 * arithmetic saturates at {@link Durations#NEVER}; and {@link Durations#describe} is how durations
 * read in every message.
 */
@Timeout(30)
class DurationsTest {

    // ------------------------------------------------------------------ toNanos

    @Test
    void foreverSaturatesToNever() {
        assertThat(Durations.toNanos(Pool.FOREVER)).isEqualTo(Durations.NEVER).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void foreverIsTheSameAsChronoUnitForever() {
        assertThat(Pool.FOREVER).isEqualTo(ChronoUnit.FOREVER.getDuration());
    }

    @Test
    void durationJustBeyondLongNanosSaturatesInsteadOfThrowing() {
        Duration beyond = Duration.ofNanos(Long.MAX_VALUE).plusNanos(1);
        assertThat(Durations.toNanos(beyond)).isEqualTo(Durations.NEVER);
        assertThat(Durations.toNanos(Duration.ofDays(365L * 1000))).isEqualTo(Durations.NEVER);
    }

    @Test
    void largestRepresentableDurationMapsToNever() {
        assertThat(Durations.toNanos(Duration.ofNanos(Long.MAX_VALUE))).isEqualTo(Durations.NEVER);
    }

    @Test
    void ordinaryDurationsConvertExactly() {
        assertThat(Durations.toNanos(Duration.ZERO)).isZero();
        assertThat(Durations.toNanos(Duration.ofNanos(1))).isEqualTo(1);
        assertThat(Durations.toNanos(Duration.ofSeconds(2))).isEqualTo(2_000_000_000L);
        assertThat(Durations.toNanos(Duration.ofNanos(Long.MAX_VALUE - 1))).isEqualTo(Long.MAX_VALUE - 1);
    }

    // ------------------------------------------------------------------ add and ofNanos

    @Test
    void addSaturatesAtNever() {
        assertThat(Durations.add(Durations.NEVER, 1)).isEqualTo(Durations.NEVER);
        assertThat(Durations.add(Long.MAX_VALUE - 5, 10)).isEqualTo(Durations.NEVER);
        assertThat(Durations.add(Durations.NEVER, Durations.NEVER)).isEqualTo(Durations.NEVER);
        assertThat(Durations.add(3, 4)).isEqualTo(7);
    }

    @Test
    void neverConvertsBackToForever() {
        assertThat(Durations.ofNanos(Durations.NEVER)).isEqualTo(Pool.FOREVER);
        assertThat(Durations.ofNanos(1_500)).isEqualTo(Duration.ofNanos(1_500));
    }

    @Test
    void foreverRoundTripsThroughNanos() {
        assertThat(Durations.ofNanos(Durations.toNanos(Pool.FOREVER))).isEqualTo(Pool.FOREVER);
    }

    // ------------------------------------------------------------------ describe

    @Test
    void foreverIsDescribedByName() {
        assertThat(Durations.describe(Pool.FOREVER)).isEqualTo("FOREVER");
        assertThat(Durations.describeNanos(Durations.NEVER)).isEqualTo("FOREVER");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "PT0S          | 0 ms",
        "PT2S          | 2000 ms",
        "PT0.001S      | 1 ms",
        "PT0.0015S     | 1.500 ms",
        "PT0.000999S   | 999000 ns",
        "PT0.000000001S| 1 ns",
        "PT23H59M59S   | 86399000 ms",
        "PT24H         | PT24H",
        "PT720H        | PT720H",
        "PT-1S         | PT-1S",
        "PT-0.001S     | PT-0.001S",
    })
    void durationsAreDescribedReadably(String iso, String expected) {
        assertThat(Durations.describe(Duration.parse(iso))).isEqualTo(expected);
    }

    @Test
    void fractionalMillisecondsDoNotDependOnTheDefaultLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(Durations.describe(Duration.ofNanos(1_500_000))).isEqualTo("1.500 ms");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void describeNanosMatchesDescribe() {
        assertThat(Durations.describeNanos(2_000_000_000L)).isEqualTo("2000 ms");
        assertThat(Durations.describeNanos(0)).isEqualTo("0 ms");
    }
}
