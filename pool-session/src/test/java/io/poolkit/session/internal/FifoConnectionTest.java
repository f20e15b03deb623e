package io.poolkit.session.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.Out;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link Connection} over two one-way channels (an R worker's FIFOs) keeps the socket's rules: the
 * length checked before a byte is allocated, nothing while idle, a violation closes it and tells the
 * owner, and closing it frees the reader blocked on a silent worker.
 */
@Timeout(10)
class FifoConnectionTest {
    private Pipe toHost;
    private Pipe toWorker;
    private Connection c;
    private final CompletableFuture<String> violation = new CompletableFuture<>();

    @BeforeEach
    void open() throws IOException {
        toHost = Pipe.open();
        toWorker = Pipe.open();
        c = Connection.open(toHost.source(), toWorker.sink(), "fifo-test");
        c.onViolation(violation::complete);
    }

    @AfterEach
    void close() throws IOException {
        c.close();
        toHost.sink().close();
        toWorker.source().close();
    }

    private void worker(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            toHost.sink().write(b);
        }
    }

    private static ByteBuffer hello() {
        return Frame.encode(Frame.HELLO, new Out().writeString("token").writeInt(Frame.PROTOCOL_VERSION).writeString("R 4.2.2").writeLong(2));
    }

    @Test
    void framesTravelBothWays() throws Exception {
        worker(hello());
        Object first = c.poll(TimeUnit.SECONDS.toNanos(5));
        assertThat(first).isInstanceOf(Frame.class);
        assertThat(((Frame) first).type()).isEqualTo(Frame.HELLO);
        assertThat(c.send(Frame.RESET, new Out())).isTrue();
        ByteBuffer got = ByteBuffer.allocate(5);
        while (got.hasRemaining()) {
            toWorker.source().read(got);
        }
        assertThat(got.getInt(0)).isEqualTo(1);
        assertThat(got.get(4)).isEqualTo(Frame.RESET);
    }

    @Test
    void aFrameWhileIdleIsAViolationRefusedBeforeItsPayload() throws Exception {
        worker(hello());
        c.poll(TimeUnit.SECONDS.toNanos(5));
        worker(ByteBuffer.allocate(5).putInt(Frame.MAX_LENGTH).put(Frame.RESULT).flip());
        assertThat(violation.get(5, TimeUnit.SECONDS)).contains("while no execution was running");
        assertThat(c.closedReason()).contains("broke the protocol");
    }

    @Test
    void aLengthPastTheCapIsAViolation() throws Exception {
        worker(ByteBuffer.allocate(4).putInt(Frame.MAX_LENGTH + 1).flip());
        assertThat(violation.get(5, TimeUnit.SECONDS)).contains("outside 1.." + Frame.MAX_LENGTH);
    }

    @Test
    void closingFreesAReaderBlockedOnASilentWorker() throws Exception {
        c.close("closed by the test");
        Object o = c.poll(TimeUnit.SECONDS.toNanos(5));
        assertThat(o).isEqualTo(new Connection.Closed("closed by the test"));
        assertThat(toHost.source().isOpen()).isFalse();
        assertThat(toWorker.sink().isOpen()).isFalse();
    }
}
