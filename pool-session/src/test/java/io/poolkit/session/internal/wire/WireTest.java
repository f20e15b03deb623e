package io.poolkit.session.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Frames and values: what is sent comes back, and hostile bytes end in a ProtocolException, never an allocation or a crash. */
class WireTest {

    private static Frame roundTrip(byte type, Out payload) throws IOException {
        Pipe pipe = Pipe.open();
        Frame.write(pipe.sink(), type, payload);
        pipe.sink().close();
        return Frame.read(pipe.source(), Frame.MAX_LENGTH);
    }

    private static Frame raw(byte[] bytes) throws IOException {
        Pipe pipe = Pipe.open();
        pipe.sink().write(ByteBuffer.wrap(bytes));
        pipe.sink().close();
        return Frame.read(pipe.source(), Frame.MAX_LENGTH);
    }

    private static byte[] header(int length) {
        return ByteBuffer.allocate(4).putInt(length).array();
    }

    @Test
    void frameRoundTrips() throws IOException {
        Frame f = roundTrip(Frame.RESULT, new Out().writeLong(7).writeString("h\u00e9llo").writeBoolean(true).writeInt(-1).writeDouble(2.5));
        assertThat(f.type()).isEqualTo(Frame.RESULT);
        In in = f.in();
        assertThat(in.readLong()).isEqualTo(7);
        assertThat(in.readString()).isEqualTo("h\u00e9llo");
        assertThat(in.readBoolean()).isTrue();
        assertThat(in.readInt()).isEqualTo(-1);
        assertThat(in.readDouble()).isEqualTo(2.5);
        in.end();
    }

    @Test
    void lengthIsCheckedBeforeAnythingIsAllocated() {
        assertThatThrownBy(() -> raw(header(Integer.MAX_VALUE))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("frame length 2147483647 is outside 1..1048576");
        assertThatThrownBy(() -> raw(header(Frame.MAX_LENGTH + 1))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> raw(header(0))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> raw(header(-5))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void streamEndingInsideAFrameIsAProtocolErrorAndBetweenFramesAnEof() {
        byte[] truncated = Arrays.copyOf(header(100), 10);
        assertThatThrownBy(() -> raw(truncated)).isInstanceOf(ProtocolException.class).hasMessageContaining("ended inside a frame");
        assertThatThrownBy(() -> raw(new byte[] {0, 0})).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> raw(new byte[0])).isInstanceOf(EOFException.class);
    }

    @Test
    void writerRefusesAFrameOverTheCap() {
        Out big = new Out().writeBytes(new byte[Frame.MAX_LENGTH], 0, Frame.MAX_LENGTH);
        assertThatThrownBy(() -> roundTrip(Frame.OUTPUT, big)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cap");
    }

    @Test
    void readerChecksEveryFieldAgainstWhatIsLeft() throws IOException {
        In shortInt = roundTrip(Frame.OUTPUT, new Out().writeByte(1)).in();
        assertThatThrownBy(shortInt::readInt).isInstanceOf(ProtocolException.class).hasMessageContaining("needs 4 bytes, 1 left");
        In lyingString = roundTrip(Frame.OUTPUT, new Out().writeInt(1_000_000).writeByte(65)).in();
        assertThatThrownBy(lyingString::readString).isInstanceOf(ProtocolException.class).hasMessageContaining("string length 1000000");
        In negative = roundTrip(Frame.OUTPUT, new Out().writeInt(-1)).in();
        assertThatThrownBy(() -> negative.readBytes(100)).isInstanceOf(ProtocolException.class);
        In badBool = roundTrip(Frame.OUTPUT, new Out().writeByte(7)).in();
        assertThatThrownBy(badBool::readBoolean).isInstanceOf(ProtocolException.class).hasMessageContaining("0 or 1");
        In trailing = roundTrip(Frame.OUTPUT, new Out().writeInt(1).writeByte(0)).in();
        trailing.readInt();
        assertThatThrownBy(trailing::end).isInstanceOf(ProtocolException.class).hasMessageContaining("trailing");
        In capped = roundTrip(Frame.OUTPUT, new Out().writeString("x".repeat(300))).in();
        assertThatThrownBy(() -> capped.readString(256)).isInstanceOf(ProtocolException.class);
    }

    /** Found by WireFuzzTest: a length checked against the bytes left before its own four were read threw StringIndexOutOfBoundsException. */
    @Test
    void aLengthThatOverrunsByItsOwnFourBytesIsAProtocolError() {
        In string = new Frame(Frame.HELLO, new byte[] {0, 0, 0, 4, 2}).in();
        assertThatThrownBy(() -> string.readString(256)).isInstanceOf(ProtocolException.class).hasMessageContaining("string length 4");
        In bytes = new Frame(Frame.OUTPUT, new byte[] {0, 0, 0, 3, 9, 9}).in();
        assertThatThrownBy(() -> bytes.readBytes(100)).isInstanceOf(ProtocolException.class).hasMessageContaining("byte count 3");
    }

    private static Object valueRoundTrip(Object v) throws IOException {
        Out out = new Out();
        Values.write(out, v);
        In in = roundTrip(Frame.TOOL_CALL, out).in();
        Object back = Values.read(in);
        in.end();
        return back;
    }

    @Test
    void valuesRoundTripAsTheirWireTypes() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", null);
        m.put("b", false);
        m.put("i", 3);
        m.put("f", 1.5f);
        m.put("s", "t\u00e9xt");
        m.put("list", List.of(1, List.of("x")));
        m.put("array", new Object[] {"a", 2L});
        m.put("big", new BigDecimal("1.10"));
        m.put("c", 'c');
        Object back = valueRoundTrip(m);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("n", null);
        expected.put("b", false);
        expected.put("i", 3L);
        expected.put("f", 1.5);
        expected.put("s", "t\u00e9xt");
        expected.put("list", List.of(1L, List.of("x")));
        expected.put("array", List.of("a", 2L));
        expected.put("big", "1.10");
        expected.put("c", "c");
        assertThat(back).isEqualTo(expected);
        assertThat(valueRoundTrip(Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
        assertThat(valueRoundTrip(Double.NaN)).isEqualTo(Double.NaN);
    }

    @Test
    void valuesThatCannotTravelNameTheirPathAndType() {
        assertThatThrownBy(() -> Values.write(new Out(), Map.of("when", List.of(new java.util.Date()))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value.when[0] is a java.util.Date");
        assertThatThrownBy(() -> Values.write(new Out(), Map.of(1, "x"))).hasMessageContaining("keys must be strings");
        Object deep = "leaf";
        for (int i = 0; i < 40; i++) {
            deep = List.of(deep);
        }
        Object tooDeep = deep;
        assertThatThrownBy(() -> Values.write(new Out(), tooDeep)).hasMessageContaining("nested more than 32");
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThatThrownBy(() -> Values.write(new Out(), cycle)).hasMessageContaining("nested more than 32");
    }

    @Test
    void hostileValueBytesFailCleanly() throws IOException {
        In hugeList = roundTrip(Frame.TOOL_CALL, new Out().writeByte(6).writeInt(Integer.MAX_VALUE)).in();
        assertThatThrownBy(() -> Values.read(hugeList)).isInstanceOf(ProtocolException.class).hasMessageContaining("list size");
        In hugeMap = roundTrip(Frame.TOOL_CALL, new Out().writeByte(7).writeInt(1 << 30)).in();
        assertThatThrownBy(() -> Values.read(hugeMap)).isInstanceOf(ProtocolException.class).hasMessageContaining("map size");
        In badTag = roundTrip(Frame.TOOL_CALL, new Out().writeByte(99)).in();
        assertThatThrownBy(() -> Values.read(badTag)).isInstanceOf(ProtocolException.class).hasMessageContaining("unknown value tag 99");
        Out nested = new Out();
        for (int i = 0; i < 1000; i++) {
            nested.writeByte(6).writeInt(1);
        }
        nested.writeByte(0);
        In deep = roundTrip(Frame.TOOL_CALL, nested).in();
        assertThatThrownBy(() -> Values.read(deep)).isInstanceOf(ProtocolException.class).hasMessageContaining("nested more than 32");
    }
}
