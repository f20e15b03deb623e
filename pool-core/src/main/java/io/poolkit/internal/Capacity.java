package io.poolkit.internal;

/**
 * A limit above one pool's own {@code maxSize}, as that pool sees it: a keyed pool's
 * {@code maxTotal}, bound to one key's pool ({@link GlobalCap#forPool}). A plain pool has none
 * ({@link #NONE}).
 */
interface Capacity {
    Capacity NONE = new Capacity() {
        @Override
        public boolean tryReserve(boolean forWaiter) {
            return true;
        }

        @Override
        public void release(boolean evicted) {
        }
    };

    /**
     * Takes one unit for a create. When none is left and the create is for a waiter, the keyed pool
     * remembers this pool as starved and makes room by evicting another key's oldest idle resource.
     */
    boolean tryReserve(boolean forWaiter);

    /** Whether a unit is free now (a hint: another pool may take it first). */
    default boolean hasRoom() {
        return true;
    }

    /**
     * Gives one unit back: a slot went back to EMPTY.
     *
     * @param evicted whether its resource was destroyed for a starved key ({@link #claimEviction})
     */
    void release(boolean evicted);

    /** An eviction {@link #claimEviction} granted did not happen after all (shutdown took the resource first). */
    default void evictionAbandoned() {
    }

    /** Whether this pool should destroy an idle resource it holds to make room for a starved key. */
    default boolean claimEviction() {
        return false;
    }
}
