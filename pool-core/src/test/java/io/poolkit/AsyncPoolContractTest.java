package io.poolkit;

import io.poolkit.testkit.AbstractPoolContractTest;
import io.poolkit.testkit.TestResource;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract through {@code acquireAsync()}, with the pool's acquireTimeout as the bound. */
@ParameterizedClass(name = "[{index}] {0}")
@MethodSource("io.poolkit.ContractVariant#pairwise")
class AsyncPoolContractTest extends AbstractPoolContractTest<TestResource> {
    private final ContractVariant variant;

    AsyncPoolContractTest(ContractVariant variant) {
        this.variant = variant;
    }

    @Override
    protected Subject<TestResource> open(int maxSize) {
        Pool<TestResource> pool = variant.poolBuilder(maxSize).build();
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
