package io.poolkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * pool-core targets Java 17, so it asks {@code Thread.isVirtual()} through a method handle found at
 * run time; a lookup that quietly failed would make every virtual thread look like a platform thread
 * and spin with rule 5's token on a carrier. On JDK 21+ the detection must see both kinds right.
 */
@Timeout(30)
class VirtualThreadsDetectionTest {

    @Test
    void aVirtualThreadIsSeenAsVirtualAndAPlatformThreadIsNot() throws Exception {
        CompletableFuture<Boolean> seen = new CompletableFuture<>();
        Thread vt = Thread.ofVirtual().start(() -> seen.complete(VirtualThreads.is(Thread.currentThread())));
        assertThat(seen.get(10, TimeUnit.SECONDS)).as("a virtual thread").isTrue();
        vt.join();
        assertThat(VirtualThreads.is(Thread.currentThread())).as("the test's platform thread").isFalse();
        assertThat(VirtualThreads.is(new Thread(() -> { }))).as("an unstarted platform thread").isFalse();
    }
}
