package io.poolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.testkit.Await;
import io.poolkit.testkit.TestFactory;
import io.poolkit.testkit.TestResource;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code withResource}/{@code useResource} with {@code invalidateOn}: a failure that means "broken"
 * destroys the resource, any other returns it, an {@link Error} always destroys, and the user's
 * exception comes back unwrapped with its checked type.
 */
@Timeout(30)
class WithResourceInvalidateOnTest extends ApiTestSupport {

    /** A checked exception of the user's own. */
    static final class QueryException extends Exception {
        private static final long serialVersionUID = 1L;

        QueryException(String message) {
            super(message);
        }
    }

    private Pool<TestResource> pool() {
        return open(new TestFactory(), b -> b.maxSize(1).invalidateOn(t -> t instanceof IOException));
    }

    /** Compiles only if withResource keeps the checked type: this method declares IOException, nothing wider. */
    private static int readThrough(Pool<TestResource> pool, AtomicReference<TestResource> used, IOException failure)
            throws IOException, InterruptedException {
        return pool.withResource(r -> {
            used.set(r);
            if (failure != null) {
                throw failure;
            }
            return r.id();
        });
    }

    /** The same for useResource. */
    private static void writeThrough(Pool<TestResource> pool, AtomicReference<TestResource> used, QueryException failure)
            throws QueryException, InterruptedException {
        pool.useResource(r -> {
            used.set(r);
            if (failure != null) {
                throw failure;
            }
        });
    }

    @Test
    void withResourceReturnsTheResultAndTheResource() throws Exception {
        Pool<TestResource> pool = pool();
        AtomicReference<TestResource> used = new AtomicReference<>();
        int id = readThrough(pool, used, null);
        assertThat(id).isEqualTo(used.get().id());
        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().leased()).isZero();
        String text = pool.withResource(r -> "resource " + r.id());
        assertThat(text).isEqualTo("resource " + id);
    }

    @Test
    void aMatchedExceptionDestroysTheResourceAndIsRethrownUnwrapped() throws Exception {
        Pool<TestResource> pool = pool();
        AtomicReference<TestResource> used = new AtomicReference<>();
        IOException broken = new IOException("connection reset");
        Throwable thrown = catchThrowable(() -> readThrough(pool, used, broken));
        assertThat(thrown).as("the same instance, not wrapped").isSameAs(broken);
        TestResource r = used.get();
        Await.until(() -> r.destroyed() && pool.stats().destroyedBy(DestroyReason.INVALIDATED) == 1,
                () -> "the resource destroyed as INVALIDATED: " + pool.stats());
        AtomicReference<TestResource> next = new AtomicReference<>();
        readThrough(pool, next, null);
        assertThat(next.get()).isNotSameAs(r);
    }

    @Test
    void anUnmatchedExceptionReturnsTheResourceAndIsRethrownUnwrapped() throws Exception {
        Pool<TestResource> pool = pool();
        AtomicReference<TestResource> used = new AtomicReference<>();
        QueryException notBroken = new QueryException("constraint violated");
        Throwable thrown = catchThrowable(() -> writeThrough(pool, used, notBroken));
        assertThat(thrown).isSameAs(notBroken);
        IllegalArgumentException unchecked = new IllegalArgumentException("bad input");
        assertThat(catchThrowable(() -> pool.useResource(r -> {
            throw unchecked;
        }))).isSameAs(unchecked);
        assertThat(pool.stats().destroyed()).isZero();
        assertThat(pool.stats().idle()).isEqualTo(1);
        AtomicReference<TestResource> again = new AtomicReference<>();
        writeThrough(pool, again, null);
        assertThat(again.get()).as("the same resource, returned").isSameAs(used.get());
    }

    @Test
    void aMatchedExceptionInUseResourceDestroysTheResource() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1).invalidateOn(t -> t instanceof QueryException));
        AtomicReference<TestResource> used = new AtomicReference<>();
        QueryException fatal = new QueryException("terminating connection");
        assertThat(catchThrowable(() -> writeThrough(pool, used, fatal))).isSameAs(fatal);
        Await.until(() -> used.get().destroyed() && pool.stats().destroyedBy(DestroyReason.INVALIDATED) == 1,
                () -> "destroyed: " + pool.stats());
    }

    @Test
    void anErrorAlwaysDestroysTheResourceAndIsRethrownUnwrapped() throws Exception {
        Pool<TestResource> pool = open(new TestFactory(), b -> b.maxSize(1)); // no invalidateOn at all
        AtomicReference<TestResource> used = new AtomicReference<>();
        StackOverflowError error = new StackOverflowError("deep");
        Throwable thrown = catchThrowable(() -> pool.withResource(r -> {
            used.set(r);
            throw error;
        }));
        assertThat(thrown).isSameAs(error);
        Await.until(() -> used.get().destroyed() && pool.stats().destroyedBy(DestroyReason.INVALIDATED) == 1,
                () -> "destroyed after an Error: " + pool.stats());
        assertThat(pool.stats().leased()).isZero();
    }

    @Test
    void noResourceStaysLeasedWhateverTheWorkThrows() throws Exception {
        Pool<TestResource> pool = pool();
        for (int i = 0; i < 20; i++) {
            int k = i;
            catchThrowable(() -> pool.useResource(r -> {
                switch (k % 4) {
                    case 0 -> throw new IOException("broken " + k);
                    case 1 -> throw new IllegalStateException("not broken " + k);
                    case 2 -> throw new AssertionError("error " + k);
                    default -> r.touch();
                }
            }));
            assertThat(pool.stats().leased()).as("after call %d", i).isZero();
        }
        Await.until(() -> pool.stats().destroying() == 0, () -> "destroys settled: " + pool.stats());
        assertThat(pool.stats().destroyedBy(DestroyReason.INVALIDATED)).isEqualTo(10);
    }
}
