package io.poolkit.internal;

import io.poolkit.Pool;
import io.poolkit.PoolMXBean;
import io.poolkit.PoolStats;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link PoolMXBean} of one pool, and its registration under {@code io.poolkit:type=Pool,name=<name>}. */
final class PoolMXBeanImpl implements PoolMXBean {
    private static final Logger log = LoggerFactory.getLogger(PoolMXBeanImpl.class);

    private final CorePool<?> pool;

    private PoolMXBeanImpl(CorePool<?> pool) {
        this.pool = pool;
    }

    static ObjectName objectName(String name) {
        try {
            boolean plain = name.chars().noneMatch(c -> ",=:\"*?\\\n".indexOf(c) >= 0);
            return new ObjectName("io.poolkit:type=Pool,name=" + (plain ? name : ObjectName.quote(name)));
        } catch (JMException e) {
            throw new IllegalArgumentException("name \"" + name + "\" cannot be used in a JMX name", e);
        }
    }

    /** Registers the pool's MXBean; returns the action that unregisters it. */
    static Runnable register(CorePool<?> pool) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName on = objectName(pool.name);
        try {
            server.registerMBean(new PoolMXBeanImpl(pool), on);
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException(pool.name + " - a pool of this name is already registered in JMX as " + on
                    + "; give each pool its own name(..)", e);
        } catch (JMException e) {
            throw new IllegalStateException(pool.name + " - could not register " + on + " in JMX", e);
        }
        return () -> {
            try {
                server.unregisterMBean(on);
            } catch (JMException e) {
                log.debug("{} - could not unregister {}", pool.name, on, e);
            }
        };
    }

    private PoolStats stats() {
        return pool.stats();
    }

    @Override
    public String getName() {
        return pool.name;
    }

    @Override
    public int getMaxSize() {
        return pool.table.maxSize;
    }

    @Override
    public int getSize() {
        return stats().size();
    }

    @Override
    public int getIdle() {
        return stats().idle();
    }

    @Override
    public int getLeased() {
        return stats().leased();
    }

    @Override
    public int getCreating() {
        return stats().creating();
    }

    @Override
    public int getWaiting() {
        return stats().waiting();
    }

    @Override
    public int getMinIdle() {
        return pool.creator.minIdle;
    }

    @Override
    public long getCreated() {
        return stats().created();
    }

    @Override
    public long getDestroyed() {
        return stats().destroyed();
    }

    @Override
    public long getAcquired() {
        return stats().acquired();
    }

    @Override
    public long getTimeouts() {
        return stats().timeouts();
    }

    @Override
    public long getRejected() {
        return stats().rejected();
    }

    @Override
    public long getCreateFailures() {
        return stats().createFailures();
    }

    @Override
    public long getLeaksSuspected() {
        return stats().leaksSuspected();
    }

    @Override
    public String getCircuitState() {
        return stats().circuitState().name();
    }

    @Override
    public long getAcquireTimeoutMillis() {
        long nanos = pool.acquireTimeoutNanos;
        return nanos == Durations.NEVER ? Long.MAX_VALUE : Duration.ofNanos(nanos).toMillis();
    }

    @Override
    public void resize(int maxSize) {
        pool.resize(maxSize);
    }

    @Override
    public void setMinIdle(int minIdle) {
        pool.setMinIdle(minIdle);
    }

    @Override
    public void setAcquireTimeoutMillis(long millis) {
        pool.setAcquireTimeout(Duration.ofMillis(Check.atLeast("acquireTimeoutMillis", millis, 0L)));
    }

    @Override
    public void setLeakDetectionMillis(long millis) {
        Check.atLeast("leakDetectionMillis", millis, 0L);
        pool.setLeakDetection(millis == 0 ? Pool.FOREVER : Duration.ofMillis(millis));
    }

    @Override
    public void evictIdle() {
        pool.evictIdle();
    }

    @Override
    public void suspend() {
        pool.suspend();
    }

    @Override
    public void resume() {
        pool.resume();
    }
}
