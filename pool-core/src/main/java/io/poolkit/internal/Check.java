package io.poolkit.internal;

import java.time.Duration;
import java.util.Objects;

/** Argument checks whose messages name the rule and the rejected value (STYLE rule 3). */
public final class Check {
    private Check() {
    }

    public static <V> V notNull(String what, V value) {
        return Objects.requireNonNull(value, () -> what + " must not be null");
    }

    public static int atLeast(String what, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(what + " must be at least " + min + ", but was " + value);
        }
        return value;
    }

    public static long atLeast(String what, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(what + " must be at least " + min + ", but was " + value);
        }
        return value;
    }

    /** Zero or more; {@code Pool.FOREVER} is allowed and means "never". */
    public static Duration notNegative(String what, Duration value) {
        notNull(what, value);
        if (value.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, but was " + Durations.describe(value));
        }
        return value;
    }

    /** More than zero; {@code Pool.FOREVER} is allowed and means "never". */
    public static Duration positive(String what, Duration value) {
        return positive(what, value, " (use Pool.FOREVER to switch it off)");
    }

    /** More than zero, with {@code hint} after the rule (empty when FOREVER is no way to switch it off). */
    public static Duration positive(String what, Duration value, String hint) {
        notNull(what, value);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be more than zero" + hint + ", but was " + Durations.describe(value));
        }
        return value;
    }

    /** At most the number of callers a pool can queue (the width of its waiter count). */
    public static int maxWaiters(int value) {
        atLeast("maxWaiters", value, 0);
        if (value > MAX_WAITERS && value != Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxWaiters must be at most " + MAX_WAITERS
                    + " (the most callers a pool can queue; Integer.MAX_VALUE means that many), but was " + value);
        }
        return value;
    }

    /** The most callers one pool can queue. */
    public static final int MAX_WAITERS = 0x00FF_FFFF;

    private static String escape(String value) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    public static double fraction(String what, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(what + " must be between 0.0 and 1.0, but was " + value);
        }
        return value;
    }

    public static String name(String what, String value) {
        notNull(what, value);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank, but was \"" + value + "\"");
        }
        if (value.length() > 128) {
            throw new IllegalArgumentException(what + " must be at most 128 characters, but was " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(what + " must not contain control characters, but was \"" + escape(value)
                        + "\" (one at index " + i + ")");
            }
        }
        return value;
    }
}
