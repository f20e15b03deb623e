package io.poolkit.internal;

import io.poolkit.KeyedPool;
import io.poolkit.Pool;

/**
 * Reads a pool's gate bits for tests (the stress profile, and tests of rule 5 and of the keyed
 * starvation protocol): whether hand-off mode is on, whether a waiter holds the WOKEN token, whether
 * the key carries PEER_STARVED, and how many wait. A plain read of the gate; nothing is changed.
 */
public final class GateProbe {
    /** A shrink in progress (the one bit a pool at rest may keep while a lowered maxSize drains). */
    public static final int SHRINK = CorePool.SHRINK;

    private GateProbe() {
    }

    public static boolean handOff(Pool<?> pool) {
        return (core(pool).bits & CorePool.HANDOFF) != 0;
    }

    public static boolean woken(Pool<?> pool) {
        return (core(pool).bits & CorePool.WOKEN) != 0;
    }

    public static int waiters(Pool<?> pool) {
        return core(pool).bits & CorePool.WAITERS;
    }

    /** A readable summary of the gate, for assertion messages. */
    public static String describe(Pool<?> pool) {
        return describe(core(pool).bits);
    }

    /** The gate of {@code key}'s sub-pool, or -1 when the key has none open. */
    public static <K> int gate(KeyedPool<K, ?> pool, K key) {
        CorePool<?> p = keyed(pool).subPool(key);
        return p == null ? -1 : p.bits;
    }

    public static <K> boolean peerStarved(KeyedPool<K, ?> pool, K key) {
        int g = gate(pool, key);
        return g != -1 && (g & CorePool.PEER_STARVED) != 0;
    }

    /** Whether the keyed pool records a starved key (then every key must carry PEER_STARVED). */
    public static boolean starving(KeyedPool<?, ?> pool) {
        return keyed(pool).starving();
    }

    /** Waiters across every key, as the keyed pool counts them against maxWaiters. */
    public static int sharedWaiters(KeyedPool<?, ?> pool) {
        return keyed(pool).sharedWaiters();
    }

    public static String describe(int gate) {
        if (gate == -1) {
            return "no sub-pool";
        }
        StringBuilder b = new StringBuilder("waiters=").append(gate & CorePool.WAITERS);
        bit(b, gate, CorePool.SHRINK, "SHRINK");
        bit(b, gate, CorePool.SUSPENDED, "SUSPENDED");
        bit(b, gate, CorePool.CLOSED, "CLOSED");
        bit(b, gate, CorePool.PEER_STARVED, "PEER_STARVED");
        bit(b, gate, CorePool.HANDOFF, "HANDOFF");
        bit(b, gate, CorePool.WOKEN, "WOKEN");
        return b.toString();
    }

    private static void bit(StringBuilder b, int gate, int bit, String name) {
        if ((gate & bit) != 0) {
            b.append(' ').append(name);
        }
    }

    private static CorePool<?> core(Pool<?> pool) {
        return (CorePool<?>) pool;
    }

    @SuppressWarnings("unchecked")
    private static <K> KeyedPoolImpl<K, ?> keyed(KeyedPool<K, ?> pool) {
        return (KeyedPoolImpl<K, ?>) pool;
    }
}
