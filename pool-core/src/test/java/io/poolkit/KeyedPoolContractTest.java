package io.poolkit;

import io.poolkit.testkit.AbstractPoolContractTest;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract through a keyed pool, one key, with another key busy beside it. */
@ParameterizedClass(name = "[{index}] {0}")
@MethodSource("io.poolkit.ContractVariant#pairwise")
class KeyedPoolContractTest extends AbstractPoolContractTest<TestResource> {
    private final ContractVariant variant;

    KeyedPoolContractTest(ContractVariant variant) {
        this.variant = variant;
    }

    @Override
    protected Subject<TestResource> open(int maxSize) throws Exception {
        KeyedPool<String, TestResource> pool = variant.keyedBuilder(maxSize, maxSize + 2).build();
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
