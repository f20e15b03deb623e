package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code jmx(true)}: the pool's MXBean, its live attributes and controls, and its lifecycle. */
@Timeout(30)
class PoolJmxTest extends ApiTestSupport {
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final String name = "jmx-" + UUID.randomUUID().toString().substring(0, 8);

    /** Finds the pool's bean whatever quoting its name got, so the other tests do not hinge on the exact ObjectName. */
    private Set<ObjectName> beansNamed(String poolName) throws Exception {
        Set<ObjectName> found = new HashSet<>();
        for (ObjectName on : server.queryNames(new ObjectName("io.poolkit:type=Pool,*"), null)) {
            if (poolName.equals(server.getAttribute(on, "Name"))) {
                found.add(on);
            }
        }
        return found;
    }

    private PoolMXBean bean(String poolName) throws Exception {
        Set<ObjectName> found = beansNamed(poolName);
        assertThat(found).as("one MXBean of pool %s", poolName).hasSize(1);
        return JMX.newMXBeanProxy(server, found.iterator().next(), PoolMXBean.class);
    }

    @Test
    void theMxBeanIsRegisteredAsIoPoolkitTypePoolNameOfThePool() throws Exception {
        open(new TestFactory(), b -> b.name(name).jmx(true));
        ObjectName documented = new ObjectName("io.poolkit:type=Pool,name=" + name);
        assertThat(server.isRegistered(documented))
                .as("registered as %s (registered: %s)", documented, server.queryNames(new ObjectName("io.poolkit:*"), null))
                .isTrue();
    }

    @Test
    void noMxBeanWithoutJmx() throws Exception {
        open(new TestFactory(), b -> b.name(name));
        assertThat(beansNamed(name)).isEmpty();
    }

    @Test
    void attributesAreLive() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.name(name).jmx(true).maxSize(4).minIdle(1)
                .acquireTimeout(Duration.ofSeconds(7)));
        PoolMXBean bean = bean(name);
        assertThat(bean.getName()).isEqualTo(name);
        assertThat(bean.getMaxSize()).isEqualTo(4);
        assertThat(bean.getMinIdle()).isEqualTo(1);
        assertThat(bean.getAcquireTimeoutMillis()).isEqualTo(7000);
        Await.until(() -> bean.getIdle() == 1, () -> "minIdle filled: " + pool.stats());
        Lease<TestResource> a = pool.acquire(Duration.ofSeconds(5));
        Lease<TestResource> b = pool.acquire(Duration.ofSeconds(5));
        assertThat(bean.getLeased()).isEqualTo(2);
        assertThat(bean.getAcquired()).isEqualTo(2);
        // minIdle refills in the background while both are leased: compare once that create is done
        Await.until(() -> bean.getIdle() == 1 && bean.getCreating() == 0, () -> "minIdle refilled: " + pool.stats());
        assertThat(bean.getCreated()).isEqualTo(pool.stats().created()).isEqualTo(3);
        assertThat(bean.getCircuitState()).isEqualTo("CLOSED");
        b.invalidate();
        Await.until(() -> bean.getDestroyed() == 1, () -> "destroyed seen through JMX: " + pool.stats());
        assertThat(bean.getTimeouts()).isZero();
        a.close();
        assertThat(bean.getLeased()).isZero();
        assertThat(bean.getSize()).isEqualTo(pool.stats().size());
        bean.setAcquireTimeoutMillis(1500);
        assertThat(bean.getAcquireTimeoutMillis()).isEqualTo(1500);
    }

    @Test
    void resizeEvictIdleAndSuspendWorkThroughJmx() throws Exception {
        TestFactory f = new TestFactory();
        Pool<TestResource> pool = open(f, b -> b.name(name).jmx(true).maxSize(2));
        PoolMXBean bean = bean(name);

        bean.resize(3);
        assertThat(pool.stats().maxSize()).isEqualTo(3);
        assertThat(pool.warmUp(3)).isEqualTo(3);

        bean.resize(1);
        Await.until(() -> pool.stats().size() == 1 && pool.stats().destroying() == 0, () -> "shrunk through JMX: " + pool.stats());
        assertThat(pool.stats().destroyedBy(DestroyReason.SHRUNK)).isEqualTo(2);
        assertThat(bean.getMaxSize()).isEqualTo(1);

        bean.evictIdle();
        Await.until(() -> pool.stats().size() == 0 && pool.stats().destroying() == 0, () -> "evicted through JMX: " + pool.stats());
        assertThat(pool.stats().destroyedBy(DestroyReason.EVICTED)).isEqualTo(1);

        assertThat(pool.warmUp(1)).isEqualTo(1);
        bean.suspend();
        assertThat(pool.tryAcquire()).as("suspended through JMX").isEmpty();
        bean.resume();
        assertThat(pool.tryAcquire()).isPresent().get().satisfies(Lease::close);

        bean.setMinIdle(1);
        assertThat(bean.getMinIdle()).isEqualTo(1);
        assertThatThrownBy(() -> bean.resize(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theMxBeanIsUnregisteredWhenThePoolCloses() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.name(name).jmx(true));
        assertThat(beansNamed(name)).hasSize(1);
        pool.close();
        assertThat(beansNamed(name)).isEmpty();
        // the name is free again
        Pool<TestResource> again = open(new TestFactory(), b -> b.name(name).jmx(true));
        assertThat(beansNamed(name)).hasSize(1);
        again.close();
        assertThat(beansNamed(name)).isEmpty();
    }

    @Test
    void aSecondPoolWithTheSameNameAndJmxFailsAtBuildWithAClearMessage() throws Exception {
        Pool<TestResource> first = open(new TestFactory(), b -> b.name(name).jmx(true));
        TestFactory second = new TestFactory();
        PoolBuilder<TestResource> builder = Pool.builder(second).name(name).jmx(true).minIdle(1);
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("already registered")
                .hasMessageContaining("name(");
        assertThat(second.createCalls()).as("the refused pool never started").isZero();
        assertThat(beansNamed(name)).as("the first pool keeps its bean").hasSize(1);
        try (Lease<TestResource> l = first.acquire(Duration.ofSeconds(5))) {
            assertThat(l.get()).isNotNull();
        }
        // the same name without jmx is fine
        open(new TestFactory(), b -> b.name(name));
    }
}
