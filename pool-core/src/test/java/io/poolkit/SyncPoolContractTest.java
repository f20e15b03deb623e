package io.poolkit;

import io.poolkit.testkit.AbstractPoolContractTest;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;

/** The contract through {@code acquire(timeout)}. */
class SyncPoolContractTest extends AbstractPoolContractTest<TestResource> {
    @Override
    protected Subject<TestResource> open(int maxSize) {
        Pool<TestResource> pool = Pool.builder(new TestFactory()).maxSize(maxSize).build();
        return Subject.of(pool, pool::acquire);
    }

    @Override
    protected void use(TestResource resource) {
        resource.touch();
    }
}
