package dev.wsdebug.wire;

import static dev.wsdebug.wire.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FrameParser's state accessors and Frame's derived values. */
class FrameParserStateTest {

    private static final class Collect implements FrameListener {
        final List<Frame> ended = new ArrayList<>();
        final List<Integer> violationsAtStart = new ArrayList<>();

        @Override
        public void onFrameStart(Frame frame) {
            violationsAtStart.add(frame.violations().size());
        }

        @Override
        public void onFramePayload(Frame frame, byte[] buf, int off, int len, long payloadPos) {
        }

        @Override
        public void onFrameEnd(Frame frame) {
            ended.add(frame);
        }
    }

    @Test
    void offsetMidFrameAndCloseSeen() {
        Collect c = new Collect();
        FrameParser p = new FrameParser(Direction.S2C, false, c);
        assertThat(p.direction()).isEqualTo(Direction.S2C);
        byte[] b = hex("81 05 48 65 6c 6c 6f 88 02 03 e8");
        p.feed(b, 0, 1);
        assertThat(p.offset()).isEqualTo(1);
        assertThat(p.midFrame()).isTrue();
        p.feed(b, 1, 3);
        assertThat(p.offset()).isEqualTo(4);
        assertThat(p.midFrame()).isTrue();
        p.feed(b, 4, 3);
        assertThat(p.offset()).isEqualTo(7);
        assertThat(p.midFrame()).isFalse();
        assertThat(p.closeSeen()).isFalse();
        p.feed(b, 7, 4);
        assertThat(p.closeSeen()).isTrue();
        assertThat(p.finish()).isNull();
        assertThat(c.ended).hasSize(2);
    }

    @Test
    void headerViolationsAreAttachedBeforeTheStart() {
        Collect c = new Collect();
        FrameParser p = new FrameParser(Direction.C2S, false, c);
        p.feed(hex("e3 7e 00 05 01 02 03 04 05"));
        assertThat(c.violationsAtStart).containsExactly(5);
        assertThat(c.ended.get(0).violations()).extracting(Violation::rule).containsExactly("reserved-bit-set",
                "reserved-bit-set", "reserved-opcode", "client-frame-not-masked", "non-minimal-length");
    }

    @Test
    void directionAndRsv1CanChangeMidStream() {
        Collect c = new Collect();
        FrameParser p = new FrameParser(null, false, c);
        p.feed(hex("c1 00"));
        p.rsv1Negotiated(true);
        p.direction(Direction.C2S);
        p.feed(hex("c1 00"));
        assertThat(c.ended.get(0).violations()).extracting(Violation::rule).containsExactly("reserved-bit-set");
        assertThat(c.ended.get(1).violations()).extracting(Violation::rule).containsExactly("client-frame-not-masked");
    }

    @Test
    void frameDerivedValues() {
        Collect c = new Collect();
        FrameParser p = new FrameParser(null, false, c);
        p.feed(hex("82 7e 00 7e"));
        p.feed(new byte[126]);
        p.feed(hex("88 84 00 00 00 00 03 e9 6f 6b"));
        p.feed(hex("89 00 88 00"));
        Frame bin = c.ended.get(0);
        assertThat(bin.offset()).isZero();
        assertThat(bin.payloadOffset()).isEqualTo(4);
        assertThat(bin.wireLength()).isEqualTo(130);
        assertThat(bin.type()).isEqualTo("binary");
        assertThat(bin.isControl()).isFalse();
        assertThat(bin.controlPayload()).isNull();
        assertThat(bin.closeCode()).isEqualTo(-1);
        assertThat(bin.closeReason()).isNull();
        assertThat(bin.toString()).contains("binary").contains("126");
        Frame close = c.ended.get(1);
        assertThat(close.offset()).isEqualTo(130);
        assertThat(close.payloadOffset()).isEqualTo(136);
        assertThat(close.isControl()).isTrue();
        assertThat(close.closeCode()).isEqualTo(1001);
        assertThat(close.closeReason()).isEqualTo("ok");
        assertThat(close.hasViolation("frame-after-close")).isFalse();
        assertThat(c.ended.get(2).hasViolation("frame-after-close")).isTrue();
        Frame empty = c.ended.get(3);
        assertThat(empty.closeCode()).isEqualTo(-1);
        assertThat(empty.closeReason()).isNull();
        assertThat(empty.controlPayload()).isEmpty();
    }
}
