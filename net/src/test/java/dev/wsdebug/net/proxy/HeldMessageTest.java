package dev.wsdebug.net.proxy;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.FrameListener;
import dev.wsdebug.wire.FrameParser;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The frames of a held message: their bytes as sent, and the payload unmasked across frames. */
class HeldMessageTest {
    private static final FrameWriter WRITER = new FrameWriter();

    @Test
    void keepsTheFramesAsSentAndJoinsTheirUnmaskedPayload() {
        byte[][] raw = {
            WRITER.encode(new FrameSpec(false, true, false, false, Opcode.TEXT, 0x11223344, 0, bytes("compre"))),
            WRITER.encode(new FrameSpec(false, false, false, false, Opcode.CONTINUATION, 0x55667788, 0, bytes("ssed by"))),
            WRITER.encode(new FrameSpec(true, false, false, false, Opcode.CONTINUATION, 0x0a0b0c0d, 16, bytes(" someone"))),
        };
        HeldMessage held = new HeldMessage();
        assertThat(held.isEmpty()).isTrue();
        List<Frame> frames = parse(raw);
        for (int i = 0; i < raw.length; i++) {
            held.add(frames.get(i), raw[i]);
        }

        assertThat(held.isEmpty()).isFalse();
        assertThat(held.length()).isEqualTo(raw[0].length + raw[1].length + raw[2].length);
        assertThat(held.bytes()).containsExactly(concat(raw));
        assertThat(new String(held.wirePayload(), StandardCharsets.UTF_8)).isEqualTo("compressed by someone");
    }

    @Test
    void unmaskedFramesGiveTheirPayloadAsItIs() {
        byte[] raw = WRITER.encode(FrameSpec.of(Opcode.BINARY, new byte[] {1, 2, 3}));
        HeldMessage held = new HeldMessage();
        held.add(parse(new byte[][] {raw}).get(0), raw);

        assertThat(held.wirePayload()).containsExactly(1, 2, 3);
    }

    /** The frames as the pipeline reports them: offsets, header lengths, mask keys. */
    private static List<Frame> parse(byte[][] raw) {
        List<Frame> out = new ArrayList<>();
        FrameParser p = new FrameParser(Direction.C2S, true, new FrameListener() {
            @Override
            public void onFrameStart(Frame f) {
            }

            @Override
            public void onFramePayload(Frame f, byte[] b, int off, int len, long payloadPos) {
            }

            @Override
            public void onFrameEnd(Frame f) {
                out.add(f);
            }
        });
        for (byte[] r : raw) {
            p.feed(r);
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[][] parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
