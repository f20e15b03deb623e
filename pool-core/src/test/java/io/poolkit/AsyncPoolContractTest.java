package io.poolkit;

import io.poolkit.testkit.AbstractPoolContractTest;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.concurrent.ExecutionException;

/** The contract through {@code acquireAsync()}, with the pool's acquireTimeout as the bound. */
class AsyncPoolContractTest extends AbstractPoolContractTest<TestResource> {
    @Override
    protected Subject<TestResource> open(int maxSize) {
        Pool<TestResource> pool = Pool.builder(new TestFactory()).maxSize(maxSize).build();
        return new Subject<>() {
            @Override
            public Lease<TestResource> acquire(Duration timeout) throws Exception {
                pool.setAcquireTimeout(timeout);
                try {
                    return pool.acquireAsync().get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception ex) {
                        throw ex;
                    }
                    throw e;
                }
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
