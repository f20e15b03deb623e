package io.poolkit.internal;

/**
 * A limit above one pool's own {@code maxSize}: a keyed pool's {@code maxTotal}. A plain pool has
 * none ({@link #NONE}).
 */
interface Capacity {
    Capacity NONE = new Capacity() {
        @Override
        public boolean tryReserve(CorePool<?> pool, boolean forWaiter) {
            return true;
        }

        @Override
        public void release(boolean evicted) {
        }
    };

    /**
     * Takes one unit for a create in {@code pool}. When none is left and the create is for a
     * waiter, the keyed pool remembers the pool as starved and makes room by evicting another key's
     * oldest idle resource.
     */
    boolean tryReserve(CorePool<?> pool, boolean forWaiter);

    /** Whether a unit is free now (a hint: another pool may take it first). */
    default boolean hasRoom() {
        return true;
    }

    /**
     * Gives one unit back: a slot of some pool went back to EMPTY.
     *
     * @param evicted whether its resource was destroyed for a starved key ({@link #claimEviction})
     */
    void release(boolean evicted);

    /** An eviction {@link #claimEviction} granted did not happen after all (shutdown took the resource first). */
    default void evictionAbandoned() {
    }

    /** Whether {@code donor} should destroy an idle resource it holds to make room for a starved key. */
    default boolean claimEviction(CorePool<?> donor) {
        return false;
    }
}
