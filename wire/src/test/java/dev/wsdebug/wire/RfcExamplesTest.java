package dev.wsdebug.wire;

import static dev.wsdebug.wire.Frames.concat;
import static dev.wsdebug.wire.Frames.decodeAllWays;
import static dev.wsdebug.wire.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wsdebug.wire.Frames.Decoded;
import dev.wsdebug.wire.Frames.FrameRec;
import dev.wsdebug.wire.Frames.Setup;
import org.junit.jupiter.api.Test;

/**
 * The byte examples of RFC 6455 section 5.7 and RFC 7692 section 7.2.3, each decoded whole, byte by
 * byte and in random chunks (see {@link Frames#decodeAllWays}).
 */
class RfcExamplesTest {

    // ---- RFC 6455 5.7 ---------------------------------------------------------------------------

    @Test
    void singleFrameUnmaskedText() {
        Decoded d = decodeAllWays(Setup.s2c(), "81 05 48 65 6c 6c 6f");
        FrameRec f = d.frame(0);
        assertThat(f.fin()).isTrue();
        assertThat(f.opcode()).isEqualTo(Opcode.TEXT);
        assertThat(f.masked()).isFalse();
        assertThat(f.headerLength()).isEqualTo(2);
        assertThat(f.lengthEncoding()).isEqualTo(7);
        assertThat(f.payloadLength()).isEqualTo(5);
        assertThat(f.text()).isEqualTo("Hello");
        assertThat(f.violations()).isEmpty();
        assertThat(d.texts()).containsExactly("Hello");
        assertThat(d.message(0).utf8InvalidAt()).isEqualTo(-1);
        assertThat(d.truncation()).isNull();
    }

    @Test
    void singleFrameMaskedText() {
        Decoded d = decodeAllWays(Setup.c2s(), "81 85 37 fa 21 3d 7f 9f 4d 51 58");
        FrameRec f = d.frame(0);
        assertThat(f.masked()).isTrue();
        assertThat(f.maskKey()).isEqualTo(0x37fa213d);
        assertThat(f.headerLength()).isEqualTo(6);
        assertThat(f.payloadLength()).isEqualTo(5);
        assertThat(f.text()).isEqualTo("Hello");
        assertThat(f.violations()).isEmpty();
        assertThat(d.texts()).containsExactly("Hello");
    }

    @Test
    void fragmentedUnmaskedText() {
        Decoded d = decodeAllWays(Setup.s2c(), "01 03 48 65 6c  80 02 6c 6f");
        assertThat(d.frames()).hasSize(2);
        assertThat(d.frame(0).fin()).isFalse();
        assertThat(d.frame(0).opcode()).isEqualTo(Opcode.TEXT);
        assertThat(d.frame(0).text()).isEqualTo("Hel");
        assertThat(d.frame(1).fin()).isTrue();
        assertThat(d.frame(1).opcode()).isEqualTo(Opcode.CONTINUATION);
        assertThat(d.frame(1).offset()).isEqualTo(5);
        assertThat(d.frame(1).text()).isEqualTo("lo");
        assertThat(d.allFrameViolations()).isEmpty();
        assertThat(d.messages()).hasSize(1);
        assertThat(d.message(0).text()).isEqualTo("Hello");
        assertThat(d.message(0).frames()).isEqualTo(2);
        assertThat(d.message(0).wireLength()).isEqualTo(5);
        assertThat(d.message(0).firstOffset()).isZero();
    }

    @Test
    void unmaskedPing() {
        Decoded d = decodeAllWays(Setup.s2c(), "89 05 48 65 6c 6c 6f");
        FrameRec f = d.frame(0);
        assertThat(f.opcode()).isEqualTo(Opcode.PING);
        assertThat(f.text()).isEqualTo("Hello");
        assertThat(f.controlPayloadHex()).isEqualTo("48656c6c6f");
        assertThat(f.violations()).isEmpty();
        assertThat(d.messages()).isEmpty();
    }

    @Test
    void maskedPong() {
        Decoded d = decodeAllWays(Setup.c2s(), "8a 85 37 fa 21 3d 7f 9f 4d 51 58");
        FrameRec f = d.frame(0);
        assertThat(f.opcode()).isEqualTo(Opcode.PONG);
        assertThat(f.masked()).isTrue();
        assertThat(f.text()).isEqualTo("Hello");
        assertThat(f.controlPayloadHex()).isEqualTo("48656c6c6f");
        assertThat(f.violations()).isEmpty();
    }

    @Test
    void binary256BytesUnmasked() {
        byte[] payload = Frames.counting(256);
        Decoded d = decodeAllWays(Setup.s2c(), concat(hex("82 7e 01 00"), payload));
        FrameRec f = d.frame(0);
        assertThat(f.opcode()).isEqualTo(Opcode.BINARY);
        assertThat(f.headerLength()).isEqualTo(4);
        assertThat(f.lengthEncoding()).isEqualTo(16);
        assertThat(f.payloadLength()).isEqualTo(256);
        assertThat(f.payload()).isEqualTo(payload);
        assertThat(f.violations()).isEmpty();
        assertThat(d.message(0).payload()).isEqualTo(payload);
    }

    @Test
    void binary64KiBUnmasked() {
        byte[] payload = Frames.counting(65536);
        Decoded d = decodeAllWays(Setup.s2c(), concat(hex("82 7f 00 00 00 00 00 01 00 00"), payload));
        FrameRec f = d.frame(0);
        assertThat(f.headerLength()).isEqualTo(10);
        assertThat(f.lengthEncoding()).isEqualTo(64);
        assertThat(f.payloadLength()).isEqualTo(65536);
        assertThat(f.payload()).isEqualTo(payload);
        assertThat(f.violations()).isEmpty();
        assertThat(d.message(0).payload()).isEqualTo(payload);
    }

    @Test
    void frameWriterReproducesTheRfc6455Examples() {
        FrameWriter w = new FrameWriter();
        byte[] hello = Frames.utf8("Hello");
        assertThat(w.encode(FrameSpec.of(Opcode.TEXT, hello))).isEqualTo(hex("81 05 48 65 6c 6c 6f"));
        assertThat(w.encode(FrameSpec.of(Opcode.TEXT, hello).withMask(0x37fa213d)))
                .isEqualTo(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
        assertThat(w.encode(FrameSpec.of(Opcode.TEXT, Frames.utf8("Hel")).withFin(false)))
                .isEqualTo(hex("01 03 48 65 6c"));
        assertThat(w.encode(FrameSpec.of(Opcode.CONTINUATION, Frames.utf8("lo")))).isEqualTo(hex("80 02 6c 6f"));
        assertThat(w.encode(FrameSpec.of(Opcode.PING, hello))).isEqualTo(hex("89 05 48 65 6c 6c 6f"));
        assertThat(w.encode(FrameSpec.of(Opcode.PONG, hello).withMask(0x37fa213d)))
                .isEqualTo(hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"));
        byte[] b256 = Frames.counting(256);
        assertThat(w.encode(FrameSpec.of(Opcode.BINARY, b256))).isEqualTo(concat(hex("82 7e 01 00"), b256));
        byte[] b64k = Frames.counting(65536);
        assertThat(w.encode(FrameSpec.of(Opcode.BINARY, b64k)))
                .isEqualTo(concat(hex("82 7f 00 00 00 00 00 01 00 00"), b64k));
    }

    // ---- RFC 7692 7.2.3 -------------------------------------------------------------------------

    @Test
    void deflateHelloOneCompressedBlock() {
        // 7.2.3.1
        Decoded d = decodeAllWays(Setup.s2c().deflate(false), "c1 07 f2 48 cd c9 c9 07 00");
        assertThat(d.frame(0).rsv1()).isTrue();
        assertThat(d.frame(0).violations()).isEmpty();
        assertThat(d.messages()).hasSize(1);
        assertThat(d.message(0).compressed()).isTrue();
        assertThat(d.message(0).wireLength()).isEqualTo(7);
        assertThat(d.message(0).length()).isEqualTo(5);
        assertThat(d.message(0).text()).isEqualTo("Hello");
        assertThat(d.message(0).violations()).isEmpty();
    }

    @Test
    void deflateHelloFragmented() {
        // 7.2.3.1, the same compressed bytes split over two frames; only the first has RSV1
        Decoded d = decodeAllWays(Setup.s2c().deflate(false), "41 03 f2 48 cd  80 04 c9 c9 07 00");
        assertThat(d.frame(0).rsv1()).isTrue();
        assertThat(d.frame(1).rsv1()).isFalse();
        assertThat(d.allFrameViolations()).isEmpty();
        assertThat(d.message(0).frames()).isEqualTo(2);
        assertThat(d.message(0).wireLength()).isEqualTo(7);
        assertThat(d.message(0).text()).isEqualTo("Hello");
    }

    @Test
    void deflateSharingTheSlidingWindow() {
        // 7.2.3.2: the second "Hello" refers back into the first message's window
        Decoded d = decodeAllWays(Setup.s2c().deflate(false), "c1 07 f2 48 cd c9 c9 07 00  c1 05 f2 00 11 00 00");
        assertThat(d.texts()).containsExactly("Hello", "Hello");
        assertThat(d.message(1).wireLength()).isEqualTo(5);
        assertThat(d.allFrameViolations()).isEmpty();
        assertThat(d.messages()).allSatisfy(m -> assertThat(m.violations()).isEmpty());
    }

    @Test
    void deflateSharedWindowMessageFailsWhenContextIsNotTakenOver() {
        // The same bytes where the sender agreed not to take over context: the back reference has no target.
        Decoded d = decodeAllWays(Setup.s2c().deflate(true), "c1 07 f2 48 cd c9 c9 07 00  c1 05 f2 00 11 00 00");
        assertThat(d.message(0).text()).isEqualTo("Hello");
        assertThat(d.message(1).rules()).containsExactly("deflate-stream-invalid");
        assertThat(d.frame(1).rules()).containsExactly("deflate-stream-invalid");
    }

    @Test
    void deflateStoredBlock() {
        // 7.2.3.3: a DEFLATE block with no compression
        Decoded d = decodeAllWays(Setup.s2c().deflate(false), "c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00");
        assertThat(d.message(0).text()).isEqualTo("Hello");
        assertThat(d.message(0).wireLength()).isEqualTo(11);
        assertThat(d.message(0).violations()).isEmpty();
    }

    @Test
    void deflateBlockWithBfinalSet() {
        // 7.2.3.4: BFINAL=1 ends the DEFLATE stream; the trailing 0x00 and the appended tail are ignored
        Decoded d = decodeAllWays(Setup.s2c().deflate(false), "c1 08 f3 48 cd c9 c9 07 00 00");
        assertThat(d.message(0).text()).isEqualTo("Hello");
        assertThat(d.message(0).violations()).isEmpty();
    }

    @Test
    void deflateBlockWithBfinalSetThenAnotherMessage() {
        // After a final block the next message starts a new DEFLATE stream.
        Decoded d = decodeAllWays(Setup.s2c().deflate(false),
                "c1 08 f3 48 cd c9 c9 07 00 00  c1 07 f2 48 cd c9 c9 07 00");
        assertThat(d.texts()).containsExactly("Hello", "Hello");
        assertThat(d.allFrameViolations()).isEmpty();
    }

    @Test
    void deflateTwoBlocksInOneMessage() {
        // 7.2.3.5
        Decoded d = decodeAllWays(Setup.s2c().deflate(false),
                "c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00");
        assertThat(d.message(0).text()).isEqualTo("Hello");
        assertThat(d.message(0).violations()).isEmpty();
    }

    @Test
    void deflateEmptyMessage() {
        // 7.2.3.6: an empty message compresses to the single byte 0x00
        Decoded d = decodeAllWays(Setup.s2c().deflate(false), "c1 01 00");
        assertThat(d.messages()).hasSize(1);
        assertThat(d.message(0).compressed()).isTrue();
        assertThat(d.message(0).length()).isZero();
        assertThat(d.message(0).violations()).isEmpty();
    }

    @Test
    void deflateExamplesSentByAClientAreMasked() {
        // 7.2.3.1 as a client would send it, masked with the RFC 6455 example key
        byte[] frame = Frames.rawFrame(0xC1, hex("37 fa 21 3d"), hex("f2 48 cd c9 c9 07 00"));
        Decoded d = decodeAllWays(Setup.c2s().deflate(false), frame);
        assertThat(d.frame(0).violations()).isEmpty();
        assertThat(d.message(0).text()).isEqualTo("Hello");
    }

    @Test
    void messageDeflaterReproducesTheRfc7692Examples() {
        try (MessageDeflater takeover = new MessageDeflater(false);
             MessageDeflater noTakeover = new MessageDeflater(true)) {
            byte[] hello = Frames.utf8("Hello");
            assertThat(takeover.deflate(hello)).isEqualTo(hex("f2 48 cd c9 c9 07 00"));
            assertThat(takeover.deflate(hello)).isEqualTo(hex("f2 00 11 00 00"));
            assertThat(noTakeover.deflate(hello)).isEqualTo(hex("f2 48 cd c9 c9 07 00"));
            assertThat(noTakeover.deflate(hello)).isEqualTo(hex("f2 48 cd c9 c9 07 00"));
            assertThat(noTakeover.deflate(new byte[0])).isEqualTo(hex("00"));
        }
    }
}
