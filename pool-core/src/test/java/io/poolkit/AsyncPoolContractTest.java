package io.poolkit;

import io.poolkit.testkit.AbstractPoolContractTest;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.util.concurrent.ExecutionException;

/** The contract through {@code acquireAsync()}, with the pool's acquireTimeout as the bound. */
class AsyncPoolContractTest extends AbstractPoolContractTest<TestResource> {
    @Override
    protected Subject<TestResource> open(int maxSize) {
        Pool<TestResource> pool = Pool.builder(new TestFactory()).maxSize(maxSize).build();
        return Subject.of(pool, timeout -> {
            pool.setAcquireTimeout(timeout);
            try {
                return pool.acquireAsync().get();
            } catch (ExecutionException e) {
                throw unwrap(e);
            }
        });
    }

    @Override
    protected void use(TestResource resource) {
        resource.touch();
    }
}
