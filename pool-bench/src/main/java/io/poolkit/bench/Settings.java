package io.poolkit.bench;

import java.time.Duration;

/**
 * The options every pool gets, so each one does the same work.
 *
 * <p>{@code default}: only the pool size; every pool pre-filled to it before measuring.
 * {@code timed}: idle timeout, max lifetime and validation after idle switched on, with background
 * upkeep every {@link #HOUSEKEEPING}. A pool without one of these features gets it the way its
 * users build it: in the factory's hooks (commons-pool2, vibur) or around the bag (HikariCP's
 * {@code HikariPool} does it around its {@code ConcurrentBag}); Stormpot gets its default
 * time-based expiration.
 */
public final class Settings {
    /** How long any acquire may wait: every pool gets a bounded wait, as in production. */
    public static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(30);
    /** Idle longer than this: destroyed by the background upkeep. */
    public static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** Older than this: retired. */
    public static final Duration MAX_LIFETIME = Duration.ofMinutes(30);
    /** Idle at least this long: validated on acquire. */
    public static final Duration VALIDATE_AFTER_IDLE = Duration.ofMillis(500);
    /** How often the background upkeep (maintenance, evictor, housekeeper, reducer) runs. */
    public static final Duration HOUSEKEEPING = Duration.ofSeconds(1);

    /** The {@code config} parameter's value for the default options. */
    public static final String DEFAULT = "default";
    /** The {@code config} parameter's value for idle and lifetime tracking on. */
    public static final String TIMED = "timed";
    /** poolkit only: the default options with {@code idleOrder(FIFO)} (a claim cursor instead of the per-thread hint). */
    public static final String FIFO = "fifo";

    private Settings() {
    }

    /**
     * @param config the {@code config} parameter
     * @return whether it asks for the time-based features
     * @throws IllegalArgumentException when it is neither {@value #DEFAULT} nor {@value #TIMED}
     */
    public static boolean timed(String config) {
        return switch (config) {
            case DEFAULT -> false;
            case TIMED -> true;
            default -> throw new IllegalArgumentException("config must be " + DEFAULT + " or " + TIMED + ", but was " + config);
        };
    }
}
