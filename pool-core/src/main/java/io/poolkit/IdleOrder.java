package io.poolkit;

/** Which idle resource an acquire takes; see {@link PoolBuilder#idleOrder(IdleOrder)}. */
public enum IdleOrder {
    /**
     * The most recently used first: a thread gets back the resource it used last when that one is
     * idle, so few resources stay hot and the surplus idles out.
     */
    LIFO,
    /** Spread use over every idle resource in turn, so all of them age alike. */
    FIFO
}
