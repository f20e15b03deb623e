package io.poolkit;

import io.poolkit.testkit.AbstractPoolContractTest;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.time.Duration;

/** The contract through a keyed pool, one key, with another key busy beside it. */
class KeyedPoolContractTest extends AbstractPoolContractTest<TestResource> {
    @Override
    protected Subject<TestResource> open(int maxSize) throws Exception {
        TestFactory factory = new TestFactory();
        KeyedPool<String, TestResource> pool = KeyedPool.builder((String key) -> factory.create())
                .maxSize(maxSize).maxTotal(maxSize + 2).build();
        pool.acquire("neighbour").close();
        return new Subject<>() {
            @Override
            public Lease<TestResource> acquire(Duration timeout) throws Exception {
                return pool.acquire("key", timeout);
            }

            @Override
            public PoolStats stats() {
                return pool.stats("key");
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
