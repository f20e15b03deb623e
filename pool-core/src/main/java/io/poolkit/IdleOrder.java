package io.poolkit;

/** Which idle resource an acquire takes; see {@link PoolBuilder#idleOrder(IdleOrder)}. */
public enum IdleOrder {
    /**
     * The most recently used first, per thread: each thread starts its search at its own place in
     * the pool (a hash of the thread, no ThreadLocal), so a thread gets back the resource it used
     * last when that one is idle, threads rarely collide, few resources stay hot, and the
     * surplus idles out. Between threads there is no global order: a thread holding two resources
     * gets back the one at its own place first.
     */
    LIFO,
    /** Spread use over every idle resource in turn, so all of them age alike. */
    FIFO
}
