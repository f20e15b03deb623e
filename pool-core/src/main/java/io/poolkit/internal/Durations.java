package io.poolkit.internal;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Saturating duration arithmetic: {@code Pool.FOREVER.toNanos()} overflows, so every threshold is
 * turned into nanoseconds here, with {@link Long#MAX_VALUE} meaning "never".
 */
public final class Durations {
    /** Nanoseconds that mean "never reached". */
    public static final long NEVER = Long.MAX_VALUE;

    private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);
    private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    private Durations() {
    }

    /** @return the duration in nanoseconds, {@link #NEVER} when it does not fit (FOREVER) */
    public static long toNanos(Duration d) {
        return d.compareTo(MAX_NANOS) >= 0 ? NEVER : d.toNanos();
    }

    /** @return {@code a + b}, saturating at {@link #NEVER} (both non-negative) */
    public static long add(long a, long b) {
        long sum = a + b;
        return sum < 0 ? NEVER : sum;
    }

    public static Duration ofNanos(long nanos) {
        return nanos == NEVER ? FOREVER : Duration.ofNanos(nanos);
    }

    /** @return a readable form: "2000 ms", "FOREVER", or ISO-8601 for the rest */
    public static String describe(Duration d) {
        if (d.equals(FOREVER)) {
            return "FOREVER";
        }
        if (!d.isNegative() && d.compareTo(Duration.ofDays(1)) < 0) {
            long nanos = d.toNanos();
            if (nanos % 1_000_000 == 0) {
                return (nanos / 1_000_000) + " ms";
            }
            return nanos >= 1_000_000 ? String.format(java.util.Locale.ROOT, "%.3f ms", nanos / 1e6) : nanos + " ns";
        }
        return d.toString();
    }

    public static String describeNanos(long nanos) {
        return describe(ofNanos(nanos));
    }
}
