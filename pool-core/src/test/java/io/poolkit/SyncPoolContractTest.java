package io.poolkit;

import io.poolkit.testkit.AbstractPoolContractTest;
import io.poolkit.testkit.TestResource;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract through {@code acquire(timeout)}, over the whole option matrix ({@link ContractVariant#all()}). */
@ParameterizedClass(name = "[{index}] {0}")
@MethodSource("io.poolkit.ContractVariant#all")
class SyncPoolContractTest extends AbstractPoolContractTest<TestResource> {
    private final ContractVariant variant;

    SyncPoolContractTest(ContractVariant variant) {
        this.variant = variant;
    }

    @Override
    protected Subject<TestResource> open(int maxSize) {
        Pool<TestResource> pool = variant.poolBuilder(maxSize).build();
        return Subject.of(pool, pool::acquire);
    }

    @Override
    protected void use(TestResource resource) {
        resource.touch();
    }
}
