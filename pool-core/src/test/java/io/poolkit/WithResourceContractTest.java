package io.poolkit;

import io.poolkit.testkit.AbstractPoolContractTest;
import io.poolkit.testkit.TestResource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract through {@code withResource}: each "lease" is a {@code withResource} call running on
 * its own thread, holding the resource until the test closes the lease stand-in.
 */
@ParameterizedClass(name = "[{index}] {0}")
@MethodSource("io.poolkit.ContractVariant#pairwise")
class WithResourceContractTest extends AbstractPoolContractTest<TestResource> {
    private final ContractVariant variant;

    WithResourceContractTest(ContractVariant variant) {
        this.variant = variant;
    }

    @Override
    protected Subject<TestResource> open(int maxSize) {
        Pool<TestResource> pool = variant.poolBuilder(maxSize).build();
        return Subject.of(pool, new AccessPath<>() {
            @Override
            public Lease<TestResource> acquire(Duration timeout) throws Exception {
                pool.setAcquireTimeout(timeout);
                CompletableFuture<TestResource> got = new CompletableFuture<>();
                CountDownLatch release = new CountDownLatch(1);
                CountDownLatch invalidate = new CountDownLatch(1);
                CompletableFuture<Void> done = new CompletableFuture<>();
                Thread t = new Thread(() -> {
                    try {
                        pool.useResource(r -> {
                            got.complete(r);
                            release.await(30, TimeUnit.SECONDS);
                            if (invalidate.getCount() == 0) {
                                throw new Error("invalidate requested");
                            }
                        });
                        done.complete(null);
                    } catch (Throwable e) {
                        got.completeExceptionally(e);
                        done.completeExceptionally(e);
                    }
                }, "withResource-holder");
                t.setDaemon(true);
                t.start();
                TestResource r;
                try {
                    r = got.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw unwrap(e);
                }
                return new HeldLease(r, release, invalidate, done, t);
            }
        });
    }

    @Override
    protected boolean handsOutPoolLeases() {
        return false;
    }

    @Override
    protected void use(TestResource resource) {
        resource.touch();
    }

    /** Stands for the lease a withResource call holds; closing it lets the call return. */
    private static final class HeldLease implements Lease<TestResource> {
        private final TestResource resource;
        private final CountDownLatch release;
        private final CountDownLatch invalidate;
        private final CompletableFuture<Void> done;
        private final Thread holder;

        HeldLease(TestResource resource, CountDownLatch release, CountDownLatch invalidate, CompletableFuture<Void> done, Thread holder) {
            this.resource = resource;
            this.release = release;
            this.invalidate = invalidate;
            this.done = done;
            this.holder = holder;
        }

        @Override
        public TestResource get() {
            if (release.getCount() == 0) {
                throw new IllegalStateException("lease used after close (withResource returned)");
            }
            return resource;
        }

        @Override
        public void close() {
            if (release.getCount() == 0) {
                return;
            }
            release.countDown();
            try {
                done.handle((v, e) -> null).get(30, TimeUnit.SECONDS);
                holder.join(30_000);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void invalidate() {
            invalidate.countDown();
            close();
        }

        @Override
        public Duration held() {
            return Duration.ZERO;
        }

        @Override
        public boolean isRetiring() {
            return false;
        }
    }
}
