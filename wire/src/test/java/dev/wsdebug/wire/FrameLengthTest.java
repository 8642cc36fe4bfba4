package dev.wsdebug.wire;

import static dev.wsdebug.wire.Frames.concat;
import static dev.wsdebug.wire.Frames.decodeAllWays;
import static dev.wsdebug.wire.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wsdebug.wire.Frames.Decoded;
import dev.wsdebug.wire.Frames.FrameRec;
import dev.wsdebug.wire.Frames.Setup;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Payload lengths around the 7-, 16- and 64-bit encoding boundaries of RFC 6455 5.2. */
class FrameLengthTest {
    private static final byte[] KEY = hex("a1 b2 c3 d4");

    /** The encoding RFC 6455 5.2 prescribes: 0-125 in 7 bits, up to 65535 in 16, else 64. */
    private static int minimalEncoding(int length) {
        return length <= 125 ? 7 : length <= 65535 ? 16 : 64;
    }

    private static int expectedHeader(int length, boolean masked) {
        int enc = minimalEncoding(length);
        return 2 + (enc == 16 ? 2 : enc == 64 ? 8 : 0) + (masked ? 4 : 0);
    }

    static Stream<Arguments> boundaries() {
        return IntStream.of(0, 1, 125, 126, 127, 65535, 65536).boxed()
                .flatMap(n -> Stream.of(Arguments.of(n, false), Arguments.of(n, true)));
    }

    @ParameterizedTest(name = "length {0}, masked {1}")
    @MethodSource("boundaries")
    void boundaryLength(int length, boolean masked) {
        byte[] payload = Frames.counting(length);
        byte[] frame = Frames.rawFrame(0x82, masked ? KEY : null, payload);
        // a second frame after it shows the parser resumed at exactly the right byte
        byte[] input = concat(frame, hex("89 01 7a"));
        Decoded d = decodeAllWays(masked ? Setup.c2s() : Setup.s2c(), input);
        if (masked) {
            // the trailing ping is unmasked, which a client must not send; only that frame complains
            assertThat(d.frame(1).rules()).containsExactly("client-frame-not-masked");
        } else {
            assertThat(d.frame(1).violations()).isEmpty();
        }
        FrameRec f = d.frame(0);
        assertThat(f.headerLength()).isEqualTo(expectedHeader(length, masked));
        assertThat(f.lengthEncoding()).isEqualTo(minimalEncoding(length));
        assertThat(f.payloadLength()).isEqualTo(length);
        assertThat(f.masked()).isEqualTo(masked);
        assertThat(f.maskKey()).isEqualTo(masked ? 0xa1b2c3d4 : 0);
        assertThat(f.payload()).isEqualTo(payload);
        assertThat(f.violations()).isEmpty();
        assertThat(d.frame(1).offset()).isEqualTo(frame.length);
        assertThat(d.frame(1).text()).isEqualTo("z");
        assertThat(d.messages()).hasSize(1);
        assertThat(d.message(0).payload()).isEqualTo(payload);
        assertThat(d.message(0).length()).isEqualTo(length);
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 125, 126, 127, 128, 129, 65535, 65536, 65537, 65538, 65539})
    void sweep(int length) {
        for (boolean masked : new boolean[] {false, true}) {
            byte[] payload = Frames.counting(length);
            byte[] frame = Frames.rawFrame(0x82, masked ? KEY : null, payload);
            Decoded d = decodeAllWays(Setup.plain(), concat(frame, frame));
            assertThat(d.frames()).hasSize(2);
            for (FrameRec f : d.frames()) {
                assertThat(f.headerLength()).isEqualTo(expectedHeader(length, masked));
                assertThat(f.lengthEncoding()).isEqualTo(minimalEncoding(length));
                assertThat(f.payloadLength()).isEqualTo(length);
                assertThat(f.payload()).isEqualTo(payload);
                assertThat(f.violations()).isEmpty();
            }
            assertThat(d.frame(1).offset()).isEqualTo(frame.length);
            assertThat(d.endOffset()).isEqualTo(2L * frame.length);
            assertThat(d.truncation()).isNull();
        }
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 125, 126, 127, 128, 129, 65535, 65536, 65537, 65538, 65539})
    void frameWriterUsesTheShortestEncoding(int length) {
        byte[] payload = Frames.counting(length);
        FrameWriter w = new FrameWriter();
        assertThat(w.encode(FrameSpec.of(Opcode.BINARY, payload))).isEqualTo(Frames.rawFrame(0x82, null, payload));
        assertThat(w.encode(FrameSpec.of(Opcode.BINARY, payload).withMask(0xa1b2c3d4)))
                .isEqualTo(Frames.rawFrame(0x82, KEY, payload));
        assertThat(FrameWriter.headerLength(length, 0, true)).isEqualTo(expectedHeader(length, true));
        assertThat(FrameWriter.shortestEncoding(length)).isEqualTo(minimalEncoding(length));
    }
}
