package io.poolkit;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of a pool's counts, cheap enough to poll.
 *
 * <p>Each field is exact when read, but the fields are not read atomically together. The counts
 * rule {@code created == destroyed + idle + leased} holds whenever no create is in flight
 * ({@code creating == 0}); {@code size == creating + idle + leased + destroying} and
 * {@code size <= maxSize} once a shrink has drained.
 *
 * @param maxSize the capacity
 * @param size resources holding a slot: creating, idle, leased or being destroyed
 * @param idle resources ready to be leased (including one being checked by keepalive)
 * @param leased resources held by callers (including ones being validated for or reset by them)
 * @param creating creates in flight, including ones past {@code createTimeout} that have not returned
 * @param destroying resources whose {@code destroy()} has not returned yet
 * @param waiting callers waiting to acquire
 * @param created successful creates, ever
 * @param destroyed resources that entered destruction, ever
 * @param destroyedByReason {@code destroyed}, split by reason; every reason is present
 * @param acquired leases handed out, ever
 * @param timeouts acquires that timed out
 * @param rejected acquires refused at once ({@code maxWaiters} reached, or the circuit open)
 * @param createFailures creates that threw or timed out
 * @param leaksSuspected leases held longer than {@code leakDetection}
 * @param meanWait the mean time an acquire waited (zero for one that found an idle resource)
 * @param maxWait the longest time an acquire waited
 * @param circuitState the create circuit breaker's state
 */
public record PoolStats(
        int maxSize,
        int size,
        int idle,
        int leased,
        int creating,
        int destroying,
        int waiting,
        long created,
        long destroyed,
        Map<DestroyReason, Long> destroyedByReason,
        long acquired,
        long timeouts,
        long rejected,
        long createFailures,
        long leaksSuspected,
        Duration meanWait,
        Duration maxWait,
        CircuitState circuitState) {

    /** Copies the reason map so the snapshot stays immutable. */
    public PoolStats {
        Objects.requireNonNull(destroyedByReason, "destroyedByReason");
        Objects.requireNonNull(meanWait, "meanWait");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(circuitState, "circuitState");
        EnumMap<DestroyReason, Long> copy = new EnumMap<>(DestroyReason.class);
        for (DestroyReason reason : DestroyReason.values()) {
            copy.put(reason, destroyedByReason.getOrDefault(reason, 0L));
        }
        destroyedByReason = Collections.unmodifiableMap(copy);
    }

    /**
     * @param reason a destroy reason
     * @return how many resources were destroyed for it
     */
    public long destroyedBy(DestroyReason reason) {
        return destroyedByReason.get(Objects.requireNonNull(reason, "reason"));
    }

    /** @return the leased share of the capacity, from 0.0 to 1.0 (above 1.0 while a shrink drains) */
    public double utilization() {
        return maxSize == 0 ? 0.0 : (double) leased / maxSize;
    }

    /** @return {@code "size=, idle=, leased=, waiting="}, the part every pool message carries */
    public String brief() {
        return "size=" + size + ", idle=" + idle + ", leased=" + leased + ", waiting=" + waiting;
    }
}
