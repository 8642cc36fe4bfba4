package dev.wsdebug.wire;

import static dev.wsdebug.wire.Frames.concat;
import static dev.wsdebug.wire.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bytes a packet capture lost: inside a payload decoding goes on exactly; elsewhere the parser resynchronises. */
class FrameGapTest {

    private static final class Log implements FrameListener {
        final MessageAssembler assembler = new MessageAssembler(null, 1 << 20);
        final List<Frame> frames = new ArrayList<>();
        final List<Message> messages = new ArrayList<>();

        @Override
        public void onFrameStart(Frame f) {
            assembler.frameStart(f);
        }

        @Override
        public void onFramePayload(Frame f, byte[] b, int off, int len, long pos) {
            assembler.framePayload(f, b, off, len, pos);
        }

        @Override
        public void onFramePayloadGap(Frame f, long pos, long len) {
            assembler.framePayloadGap(f, pos, len);
        }

        @Override
        public void onFrameEnd(Frame f) {
            frames.add(f);
            Message m = assembler.frameEnd(f);
            if (m != null) {
                messages.add(m);
            }
        }
    }

    @Test
    void aHoleInsideAPayloadIsSkippedExactly() {
        Log log = new Log();
        FrameParser p = new FrameParser(Direction.S2C, false, log);
        byte[] text = Frames.rawFrame(0x81, null, Frames.utf8("hello world"));
        p.feed(text, 0, 5);            // header and "hel"
        assertThat(p.gap(4)).isTrue(); // "lo w" lost
        p.feed(text, 9, text.length - 9);
        p.feed(hex("8a 00"));          // a pong after it parses normally
        assertThat(log.frames).extracting(Frame::type).containsExactly("text", "pong");
        Message m = log.messages.get(0);
        assertThat(m.missing()).isEqualTo(4);
        assertThat(m.length()).isEqualTo(11);
        assertThat(m.text()).isEqualTo("hel");
        assertThat(m.truncated()).isTrue();
        assertThat(m.sha256()).isNull();
        assertThat(p.offset()).isEqualTo(text.length + 2);
    }

    @Test
    void aHoleThatEndsAtAFrameBoundaryKeepsTheBoundaries() {
        Log log = new Log();
        FrameParser p = new FrameParser(Direction.S2C, false, log);
        byte[] a = Frames.rawFrame(0x81, null, Frames.utf8("abc"));
        byte[] b = Frames.rawFrame(0x81, null, Frames.utf8("next"));
        p.feed(a, 0, 3);
        assertThat(p.gap(a.length - 3)).isTrue();
        p.feed(b);
        assertThat(log.messages).extracting(Message::text).containsExactly("a", "next");
        assertThat(p.takeResumed()).isFalse();
    }

    @Test
    void aHoleAcrossFramesResynchronisesOnTheNextPlausibleHeader() {
        Log log = new Log();
        FrameParser p = new FrameParser(Direction.C2S, false, log);
        byte[] a = Frames.rawFrame(0x81, hex("01020304"), Frames.utf8("first message"));
        byte[] lost = Frames.rawFrame(0x82, hex("05060708"), new byte[300]);
        byte[] c = Frames.rawFrame(0x81, hex("0a0b0c0d"), Frames.utf8("after the hole"));
        byte[] all = concat(a, lost, c);
        p.feed(all, 0, 8);                          // a's header and 2 payload bytes
        int resumeAt = a.length + 40;               // the hole ends inside the lost frame's payload
        assertThat(p.gap(resumeAt - 8)).isFalse();
        // the lost frame's remaining payload is zeros: an unmasked-looking run the parser must pass over
        p.feed(all, resumeAt, all.length - resumeAt);
        assertThat(log.frames).extracting(Frame::type).containsExactly("text", "text");
        assertThat(log.messages).extracting(Message::text).endsWith("after the hole");
        assertThat(log.frames.get(1).offset()).isEqualTo(a.length + lost.length);
    }
}
