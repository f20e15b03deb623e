package io.poolkit.session.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Found in review: a hostile 1 MiB TOOL_CALL frame makes the host allocate ~130 MiB before it fails. */
class HostileCountsTest {
    /** com.sun.management.ThreadMXBean through reflection: the test sources are compiled into the module, which does not read jdk.management. */
    private static long allocatedByThisThread() {
        try {
            Object mx = ManagementFactory.getThreadMXBean();
            return (Long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes").invoke(mx);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void nestedListCountsCannotMakeTheHostAllocateFarMoreThanTheFrame() {
        int payload = Frame.MAX_LENGTH - 1;
        int levels = Values.MAX_DEPTH + 1;
        int n = payload - levels * 5; // each level's count is within the bytes left when it is read
        ByteBuffer b = ByteBuffer.allocate(payload);
        for (int i = 0; i < levels; i++) {
            b.put((byte) 6).putInt(n); // LIST of n items, whose first item is the next LIST
        }
        In in = new Frame(Frame.TOOL_CALL, b.array()).in();
        long before = allocatedByThisThread();
        assertThatThrownBy(() -> Values.read(in)).isInstanceOf(ProtocolException.class);
        long allocated = allocatedByThisThread() - before;
        assertThat(allocated).as("bytes allocated to reject a %d-byte payload", payload).isLessThan(16L << 20);
    }
}
