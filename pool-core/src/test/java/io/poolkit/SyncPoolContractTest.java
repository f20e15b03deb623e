package io.poolkit;

import io.poolkit.testkit.AbstractPoolContractTest;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;

/** The contract through {@code acquire(timeout)}. */
class SyncPoolContractTest extends AbstractPoolContractTest<TestResource> {
    @Override
    protected Subject<TestResource> open(int maxSize) {
        Pool<TestResource> pool = Pool.builder(new TestFactory()).maxSize(maxSize).build();
        return new Subject<>() {
            @Override
            public Lease<TestResource> acquire(Duration timeout) throws Exception {
                return pool.acquire(timeout);
            }

            @Override
            public PoolStats stats() {
                return pool.stats();
            }

            @Override
            public boolean shutdown(Duration grace) throws Exception {
                return pool.shutdown(grace);
            }
        };
    }

    @Override
    protected void use(TestResource resource) {
        resource.touch();
    }
}
