package io.poolkit;

/**
 * The JMX view of a pool, registered as {@code io.poolkit:type=Pool,name=<name>} when the builder's
 * {@code jmx(true)} is set: live counts and the runtime controls.
 */
public interface PoolMXBean {
    /** @return the pool's name */
    String getName();

    /** @return the capacity */
    int getMaxSize();

    /** @return resources holding a slot */
    int getSize();

    /** @return idle resources */
    int getIdle();

    /** @return leased resources */
    int getLeased();

    /** @return creates in flight */
    int getCreating();

    /** @return waiting callers */
    int getWaiting();

    /** @return the minimum of idle resources kept ready */
    int getMinIdle();

    /** @return successful creates, ever */
    long getCreated();

    /** @return destroyed resources, ever */
    long getDestroyed();

    /** @return leases handed out, ever */
    long getAcquired();

    /** @return acquire timeouts, ever */
    long getTimeouts();

    /** @return acquires refused at once, ever */
    long getRejected();

    /** @return failed creates, ever */
    long getCreateFailures();

    /** @return leases suspected of leaking, ever */
    long getLeaksSuspected();

    /** @return the circuit breaker's state name */
    String getCircuitState();

    /** @return the default acquire timeout in milliseconds */
    long getAcquireTimeoutMillis();

    /** @param maxSize the new capacity, at least 1 and at least minIdle */
    void resize(int maxSize);

    /** @param minIdle the new minimum of idle resources, 0 to maxSize */
    void setMinIdle(int minIdle);

    /** @param millis the new default acquire timeout, 0 or more */
    void setAcquireTimeoutMillis(long millis);

    /** @param millis the new leak threshold; 0 switches leak detection off */
    void setLeakDetectionMillis(long millis);

    /** Destroys every idle resource now; leased ones on return. */
    void evictIdle();

    /** Makes acquires wait until {@link #resume()}. */
    void suspend();

    /** Lets waiting and new acquires through again. */
    void resume();
}
