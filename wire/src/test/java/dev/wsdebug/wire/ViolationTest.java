package dev.wsdebug.wire;

import static dev.wsdebug.wire.Frames.concat;
import static dev.wsdebug.wire.Frames.decodeAllWays;
import static dev.wsdebug.wire.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wsdebug.wire.Frames.Decoded;
import dev.wsdebug.wire.Frames.FrameRec;
import dev.wsdebug.wire.Frames.MsgRec;
import dev.wsdebug.wire.Frames.Setup;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per rule: the rule id, the exact stream offset of the offending byte, and a valid frame
 * after the bad one that still decodes. Every input starts with a 4-byte text frame "hi" (offsets
 * 0-3) so that offsets are not trivially zero, and most end with the 5-byte binary frame 01 02 03.
 */
class ViolationTest {
    private static final String HI = "81 02 68 69";
    private static final String TRAILER = "82 03 01 02 03";
    private static final byte[] KEY = hex("37 fa 21 3d");

    private static void assertViolation(FrameRec f, String rule, long offset, String rfc) {
        assertThat(f.rules()).as("rules of %s", f).containsExactly(rule);
        Violation v = f.violations().get(0);
        assertThat(v.offset()).as("offset of " + rule).isEqualTo(offset);
        assertThat(v.rfc()).isEqualTo(rfc);
        assertThat(v.detail()).isNotBlank().endsWith(".");
    }

    /** The trailing binary frame decoded intact and clean. */
    private static void assertTrailerIntact(Decoded d, long offset) {
        FrameRec t = d.frames().get(d.frames().size() - 1);
        assertThat(t.offset()).isEqualTo(offset);
        assertThat(t.opcode()).isEqualTo(Opcode.BINARY);
        assertThat(t.payloadHex()).isEqualTo("010203");
        assertThat(t.violations()).isEmpty();
        MsgRec last = d.messages().get(d.messages().size() - 1);
        assertThat(last.payloadHex()).isEqualTo("010203");
        assertThat(last.firstOffset()).isEqualTo(offset);
    }

    // ---- header rules -------------------------------------------------------------------------

    @ParameterizedTest(name = "opcode 0x{0}")
    @ValueSource(strings = {"3", "4", "5", "6", "7", "b", "c", "d", "e", "f"})
    void reservedOpcode(String opcode) {
        Decoded d = decodeAllWays(HI + " 8" + opcode + " 02 aa bb " + TRAILER);
        assertViolation(d.frame(1), "reserved-opcode", 4, "RFC 6455 5.2");
        assertThat(d.frame(1).opcode()).isEqualTo(Integer.parseInt(opcode, 16));
        assertThat(d.frame(1).payloadHex()).isEqualTo("aabb");
        assertThat(d.frame(0).violations()).isEmpty();
        assertTrailerIntact(d, 8);
        assertThat(d.messages()).hasSize(2);
    }

    @Test
    void rsv1WithoutExtension() {
        Decoded d = decodeAllWays(HI + " c1 02 68 69 " + TRAILER);
        assertViolation(d.frame(1), "reserved-bit-set", 4, "RFC 6455 5.2");
        assertThat(d.frame(1).violations().get(0).detail()).contains("RSV1");
        assertThat(d.frame(1).rsv1()).isTrue();
        // without an extension the message is not inflated: it is the plain bytes
        assertThat(d.message(1).compressed()).isFalse();
        assertThat(d.message(1).text()).isEqualTo("hi");
        assertTrailerIntact(d, 8);
    }

    @Test
    void rsv2WithoutExtension() {
        Decoded d = decodeAllWays(HI + " a1 02 68 69 " + TRAILER);
        assertViolation(d.frame(1), "reserved-bit-set", 4, "RFC 6455 5.2");
        assertThat(d.frame(1).violations().get(0).detail()).contains("RSV2");
        assertThat(d.frame(1).rsv2()).isTrue();
        assertTrailerIntact(d, 8);
    }

    @Test
    void rsv3WithoutExtension() {
        Decoded d = decodeAllWays(HI + " 91 02 68 69 " + TRAILER);
        assertViolation(d.frame(1), "reserved-bit-set", 4, "RFC 6455 5.2");
        assertThat(d.frame(1).violations().get(0).detail()).contains("RSV3");
        assertThat(d.frame(1).rsv3()).isTrue();
        assertTrailerIntact(d, 8);
    }

    @Test
    void rsv2AndRsv3AreReservedEvenWithDeflate() {
        Decoded d = decodeAllWays(Setup.plain().deflate(false), HI + " b1 02 68 69 " + TRAILER);
        assertThat(d.frame(1).rules()).containsExactly("reserved-bit-set", "reserved-bit-set");
        assertThat(d.frame(1).violations()).allSatisfy(v -> assertThat(v.offset()).isEqualTo(4));
        assertTrailerIntact(d, 8);
    }

    @Test
    void allThreeReservedBits() {
        Decoded d = decodeAllWays(HI + " f1 02 68 69 " + TRAILER);
        assertThat(d.frame(1).rules()).containsExactly("reserved-bit-set", "reserved-bit-set", "reserved-bit-set");
        assertTrailerIntact(d, 8);
    }

    @Test
    void fragmentedPing() {
        Decoded d = decodeAllWays(HI + " 09 01 7a " + TRAILER);
        assertViolation(d.frame(1), "fragmented-control-frame", 4, "RFC 6455 5.5");
        assertThat(d.frame(1).fin()).isFalse();
        assertThat(d.frame(1).controlPayloadHex()).isEqualTo("7a");
        assertTrailerIntact(d, 7);
    }

    @Test
    void fragmentedPong() {
        Decoded d = decodeAllWays(HI + " 0a 00 " + TRAILER);
        assertViolation(d.frame(1), "fragmented-control-frame", 4, "RFC 6455 5.5");
        assertTrailerIntact(d, 6);
    }

    @Test
    void controlPayloadOf126Bytes() {
        byte[] ping = Frames.rawFrame(0x89, null, Frames.counting(126));
        Decoded d = decodeAllWays(Setup.plain(), concat(hex(HI), ping, hex(TRAILER)));
        // the length byte (7-bit value 126) is the offending byte
        assertViolation(d.frame(1), "control-frame-too-long", 5, "RFC 6455 5.5");
        assertThat(d.frame(1).payloadLength()).isEqualTo(126);
        assertThat(d.frame(1).payload()).isEqualTo(Frames.counting(126));
        assertThat(d.frame(1).controlPayloadHex()).isEqualTo(Frames.hex(Frames.counting(126)));
        assertTrailerIntact(d, 4 + ping.length);
    }

    @Test
    void controlPayloadOf125BytesIsFine() {
        byte[] pong = Frames.rawFrame(0x8a, null, Frames.counting(125));
        Decoded d = decodeAllWays(Setup.plain(), concat(hex(HI), pong, hex(TRAILER)));
        assertThat(d.frame(1).violations()).isEmpty();
        assertTrailerIntact(d, 4 + pong.length);
    }

    @Test
    void closeFrameTooLongIn64BitLength() {
        byte[] close = Frames.rawFrame(0x88, 64, 70000, null, concat(hex("03 e8"), new byte[69998]));
        Decoded d = decodeAllWays(Setup.plain(), concat(hex(HI), close));
        assertThat(d.frame(1).rules()).containsExactly("control-frame-too-long");
        assertThat(d.frame(1).violations().get(0).offset()).isEqualTo(5);
        assertThat(d.frame(1).payloadLength()).isEqualTo(70000);
    }

    @Test
    void nonMinimal16BitLength() {
        Decoded d = decodeAllWays(HI + " 82 7e 00 05 0a 0b 0c 0d 0e " + TRAILER);
        // the first extended-length byte is the offending one
        assertViolation(d.frame(1), "non-minimal-length", 6, "RFC 6455 5.2");
        assertThat(d.frame(1).lengthEncoding()).isEqualTo(16);
        assertThat(d.frame(1).headerLength()).isEqualTo(4);
        assertThat(d.frame(1).payloadHex()).isEqualTo("0a0b0c0d0e");
        assertTrailerIntact(d, 13);
    }

    @Test
    void length125In16BitsIsNonMinimalButLength126IsNot() {
        byte[] f125 = Frames.rawFrame(0x82, 16, 125, null, Frames.counting(125));
        byte[] f126 = Frames.rawFrame(0x82, 16, 126, null, Frames.counting(126));
        Decoded d = decodeAllWays(Setup.plain(), concat(f125, f126, hex(TRAILER)));
        assertViolation(d.frame(0), "non-minimal-length", 2, "RFC 6455 5.2");
        assertThat(d.frame(1).violations()).isEmpty();
        assertTrailerIntact(d, f125.length + f126.length);
    }

    @Test
    void nonMinimal64BitLength() {
        Decoded d = decodeAllWays(HI + " 82 7f 00 00 00 00 00 00 00 05 0a 0b 0c 0d 0e " + TRAILER);
        assertViolation(d.frame(1), "non-minimal-length", 6, "RFC 6455 5.2");
        assertThat(d.frame(1).lengthEncoding()).isEqualTo(64);
        assertThat(d.frame(1).headerLength()).isEqualTo(10);
        assertThat(d.frame(1).payloadHex()).isEqualTo("0a0b0c0d0e");
        assertTrailerIntact(d, 19);
    }

    @Test
    void length65535In64BitsIsNonMinimalButLength65536IsNot() {
        byte[] a = Frames.rawFrame(0x82, 64, 65535, null, Frames.counting(65535));
        byte[] b = Frames.rawFrame(0x82, 64, 65536, null, Frames.counting(65536));
        Decoded d = decodeAllWays(Setup.plain(), concat(a, b, hex(TRAILER)));
        assertViolation(d.frame(0), "non-minimal-length", 2, "RFC 6455 5.2");
        assertThat(d.frame(1).violations()).isEmpty();
        assertTrailerIntact(d, a.length + b.length);
    }

    @Test
    void lengthTopBitSet() {
        // 0x8000000000010000: the length without its top bit is 65536, which needs 64 bits
        byte[] payload = Frames.counting(65536);
        byte[] frame = concat(hex("82 7f 80 00 00 00 00 01 00 00"), payload);
        Decoded d = decodeAllWays(Setup.plain(), concat(hex(HI), frame, hex(TRAILER)));
        assertViolation(d.frame(1), "length-top-bit-set", 6, "RFC 6455 5.2");
        assertThat(d.frame(1).payloadLength()).isEqualTo(65536);
        assertThat(d.frame(1).payload()).isEqualTo(payload);
        assertTrailerIntact(d, 4 + frame.length);
    }

    @Test
    void clientFrameNotMasked() {
        byte[] hi = Frames.rawFrame(0x81, KEY, Frames.utf8("hi"));
        byte[] trailer = Frames.rawFrame(0x82, KEY, hex("01 02 03"));
        Decoded d = decodeAllWays(Setup.c2s(), concat(hi, hex("81 02 68 69"), trailer));
        assertThat(d.frame(0).violations()).isEmpty();
        // the second header byte holds the MASK bit
        assertViolation(d.frame(1), "client-frame-not-masked", hi.length + 1, "RFC 6455 5.1");
        assertThat(d.frame(1).text()).isEqualTo("hi");
        assertTrailerIntact(d, hi.length + 4);
    }

    @Test
    void serverFrameMasked() {
        byte[] masked = Frames.rawFrame(0x81, KEY, Frames.utf8("hi"));
        Decoded d = decodeAllWays(Setup.s2c(), concat(hex(HI), masked, hex(TRAILER)));
        assertViolation(d.frame(1), "server-frame-masked", 5, "RFC 6455 5.1");
        assertThat(d.frame(1).text()).isEqualTo("hi");
        assertTrailerIntact(d, 4 + masked.length);
    }

    @Test
    void noMaskingRuleWithoutDirection() {
        byte[] masked = Frames.rawFrame(0x81, KEY, Frames.utf8("hi"));
        Decoded d = decodeAllWays(Setup.plain(), concat(hex(HI), masked, hex(TRAILER)));
        assertThat(d.allFrameViolations()).isEmpty();
    }

    // ---- fragmentation --------------------------------------------------------------------------

    @Test
    void continuationWithoutMessage() {
        Decoded d = decodeAllWays(HI + " 80 02 68 69 " + TRAILER);
        assertViolation(d.frame(1), "continuation-without-message", 4, "RFC 6455 5.4");
        assertThat(d.messages()).hasSize(2);
        assertThat(d.message(0).text()).isEqualTo("hi");
        assertTrailerIntact(d, 8);
    }

    @Test
    void continuationAfterTheMessageEnded() {
        Decoded d = decodeAllWays("01 01 61 80 01 62 80 01 63 " + TRAILER);
        assertThat(d.frame(0).violations()).isEmpty();
        assertThat(d.frame(1).violations()).isEmpty();
        assertViolation(d.frame(2), "continuation-without-message", 6, "RFC 6455 5.4");
        assertThat(d.message(0).text()).isEqualTo("ab");
        assertTrailerIntact(d, 9);
    }

    @Test
    void newDataFrameDuringFragmentedMessage() {
        Decoded d = decodeAllWays(HI + " 01 01 61  81 01 62 " + TRAILER);
        assertThat(d.frame(1).violations()).isEmpty();
        assertViolation(d.frame(2), "data-frame-in-fragmented-message", 7, "RFC 6455 5.4");
        // the abandoned "a" never completes; "b" is a message of its own
        assertThat(d.messages()).extracting(MsgRec::payloadHex).containsExactly("6869", "62", "010203");
        assertThat(d.message(1).firstOffset()).isEqualTo(7);
        assertTrailerIntact(d, 10);
    }

    @Test
    void controlFramesMayInterleaveFragments() {
        Decoded d = decodeAllWays("01 01 61  89 00  00 01 62  8a 01 7a  80 01 63 " + TRAILER);
        assertThat(d.allFrameViolations()).isEmpty();
        assertThat(d.message(0).text()).isEqualTo("abc");
        assertThat(d.message(0).frames()).isEqualTo(3);
        assertTrailerIntact(d, 14);
    }

    // ---- close frames -------------------------------------------------------------------------

    @Test
    void closePayloadOfOneByte() {
        Decoded d = decodeAllWays(HI + " 88 01 03 " + TRAILER);
        // the length byte says 1
        assertViolation(d.frame(1), "close-payload-one-byte", 5, "RFC 6455 5.5.1");
        assertThat(d.frame(1).controlPayloadHex()).isEqualTo("03");
        // what follows a close frame is decoded, and flagged as coming after it
        assertThat(d.frame(2).rules()).containsExactly("frame-after-close");
        assertThat(d.frame(2).payloadHex()).isEqualTo("010203");
    }

    @Test
    void emptyCloseIsFine() {
        Decoded d = decodeAllWays(HI + " 88 00");
        assertThat(d.frame(1).violations()).isEmpty();
        assertThat(d.truncation()).isNull();
    }

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535})
    void invalidCloseCode(int code) {
        String c = String.format("%02x %02x", code >> 8, code & 0xFF);
        Decoded d = decodeAllWays(HI + " 88 04 " + c + " 6f 6b");
        // the first byte of the code
        assertViolation(d.frame(1), "invalid-close-code", 6, "RFC 6455 7.4.1");
        assertThat(d.frame(1).violations().get(0).detail()).contains(Integer.toString(code));
    }

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1011, 1014, 3000, 3999, 4000, 4999})
    void validCloseCode(int code) {
        String c = String.format("%02x %02x", code >> 8, code & 0xFF);
        Decoded d = decodeAllWays(HI + " 88 04 " + c + " 6f 6b");
        assertThat(d.frame(1).violations()).isEmpty();
    }

    @Test
    void closeReasonInvalidUtf8() {
        Decoded d = decodeAllWays(HI + " 88 06 03 e8 6f 6b ff 21 " + TRAILER);
        // payload starts at 6: code at 6-7, "ok" at 8-9, the 0xff at 10
        assertViolation(d.frame(1), "close-reason-invalid-utf8", 10, "RFC 6455 5.5.1");
        assertThat(d.frame(2).rules()).containsExactly("frame-after-close");
    }

    @Test
    void closeReasonInvalidUtf8InMaskedFrame() {
        byte[] close = Frames.rawFrame(0x88, KEY, hex("03 e8 6f 6b c0 af"));
        Decoded d = decodeAllWays(Setup.c2s(), concat(Frames.rawFrame(0x81, KEY, Frames.utf8("hi")), close));
        // 8-byte first frame, 6-byte header: payload at 14; C0 is never valid, at reason byte 2
        assertViolation(d.frame(1), "close-reason-invalid-utf8", 18, "RFC 6455 5.5.1");
    }

    @Test
    void closeReasonEndingInsideACharacter() {
        Decoded d = decodeAllWays(HI + " 88 05 03 e8 6f e2 82");
        // the lead byte of the cut-short sequence, at 9
        assertViolation(d.frame(1), "close-reason-invalid-utf8", 9, "RFC 6455 5.5.1");
    }

    @Test
    void closeReasonValidUtf8() {
        byte[] close = Frames.rawFrame(0x88, null, FrameWriter.closePayload(1001, "bye \u00e9\u20ac\ud83d\ude00"));
        Decoded d = decodeAllWays(Setup.plain(), close);
        assertThat(d.frame(0).violations()).isEmpty();
    }

    @Test
    void frameAfterClose() {
        Decoded d = decodeAllWays(HI + " 88 02 03 e8 " + TRAILER + " 89 00 88 00");
        assertThat(d.frame(1).violations()).isEmpty();
        assertViolation(d.frame(2), "frame-after-close", 8, "RFC 6455 5.5.1");
        assertThat(d.frame(2).payloadHex()).isEqualTo("010203");
        assertViolation(d.frame(3), "frame-after-close", 13, "RFC 6455 5.5.1");
        assertViolation(d.frame(4), "frame-after-close", 15, "RFC 6455 5.5.1");
        // the data frame is still assembled: a debugger shows what was sent
        assertThat(d.messages()).extracting(MsgRec::payloadHex).containsExactly("6869", "010203");
    }

    // ---- text UTF-8 ------------------------------------------------------------------------------

    @Test
    void textInvalidUtf8() {
        Decoded d = decodeAllWays(HI + " 81 05 61 62 ff 63 64 " + TRAILER);
        assertViolation(d.frame(1), "text-invalid-utf8", 8, "RFC 6455 8.1");
        assertThat(d.message(1).utf8InvalidAt()).isEqualTo(2);
        assertThat(d.message(1).violations()).isEqualTo(d.frame(1).violations());
        assertThat(d.message(0).violations()).isEmpty();
        assertTrailerIntact(d, 11);
    }

    @Test
    void textInvalidUtf8OnlyTheFirstBadByteIsReported() {
        Decoded d = decodeAllWays(HI + " 81 05 61 80 62 ff 63 " + TRAILER);
        assertViolation(d.frame(1), "text-invalid-utf8", 7, "RFC 6455 8.1");
        assertThat(d.message(1).utf8InvalidAt()).isEqualTo(1);
    }

    @Test
    void binaryIsNotValidatedAsUtf8() {
        Decoded d = decodeAllWays(HI + " 82 02 ff fe " + TRAILER);
        assertThat(d.allFrameViolations()).isEmpty();
        assertThat(d.message(1).utf8InvalidAt()).isEqualTo(-1);
    }

    @Test
    void textInvalidSequenceStraddlingFragments() {
        // E2 | 28: 0x28 cannot continue E2; it is the first byte of the continuation frame's payload (10)
        Decoded d = decodeAllWays(HI + " 01 02 61 e2  80 02 28 a1 " + TRAILER);
        assertThat(d.frame(1).violations()).isEmpty();
        assertViolation(d.frame(2), "text-invalid-utf8", 10, "RFC 6455 8.1");
        assertThat(d.message(1).utf8InvalidAt()).isEqualTo(2);
        assertThat(d.message(1).frames()).isEqualTo(2);
        assertTrailerIntact(d, 12);
    }

    @Test
    void textInvalidThirdByteAfterFragmentBoundary() {
        // E2 | 82 FF: the prefix E2 82 is fine, FF at 11 is not
        Decoded d = decodeAllWays(HI + " 01 02 61 e2  80 02 82 ff " + TRAILER);
        assertViolation(d.frame(2), "text-invalid-utf8", 11, "RFC 6455 8.1");
        assertThat(d.message(1).utf8InvalidAt()).isEqualTo(3);
    }

    @Test
    void textValidSequenceStraddlingFragmentsWithControlFrameBetween() {
        // E2 82 | (ping) | AC is the euro sign
        Decoded d = decodeAllWays(HI + " 01 02 61 e2  89 00  80 02 82 ac " + TRAILER);
        assertThat(d.allFrameViolations()).isEmpty();
        assertThat(d.message(1).text()).isEqualTo("a\u20ac");
    }

    @Test
    void textInvalidAfterControlFrameBetweenFragments() {
        Decoded d = decodeAllWays(HI + " 01 02 61 e2  89 00  80 02 28 a1 " + TRAILER);
        assertThat(d.frame(2).violations()).isEmpty();
        assertViolation(d.frame(3), "text-invalid-utf8", 12, "RFC 6455 8.1");
    }

    @Test
    void textInvalidUtf8InMaskedFragments() {
        byte[] f1 = Frames.rawFrame(0x01, KEY, hex("61 62 63 f0 9f"));
        byte[] f2 = Frames.rawFrame(0x80, hex("01 02 03 04"), hex("98 41"));
        Decoded d = decodeAllWays(Setup.c2s(), concat(f1, f2));
        // F0 9F 98 needs a fourth continuation byte; 0x41 is at f2's payload byte 1
        assertViolation(d.frame(1), "text-invalid-utf8", f1.length + 6 + 1, "RFC 6455 8.1");
        assertThat(d.message(0).utf8InvalidAt()).isEqualTo(6);
    }

    @Test
    void textEndingInsideACharacter() {
        Decoded d = decodeAllWays(HI + " 81 03 61 62 e2 " + TRAILER);
        assertThat(d.frame(1).rules()).containsExactly("text-invalid-utf8");
        // no byte on the wire is wrong: the message just ends, right after the frame's last byte
        assertThat(d.frame(1).violations().get(0).offset()).isEqualTo(9);
        assertThat(d.frame(1).violations().get(0).detail()).contains("ends inside a character");
        // the message position is that of the lead byte left without its continuation bytes
        assertThat(d.message(1).utf8InvalidAt()).isEqualTo(2);
        assertTrailerIntact(d, 9);
    }

    @Test
    void textEndingInsideACharacterSplitOverFrames() {
        Decoded d = decodeAllWays(HI + " 01 02 61 f0  80 02 9f 98 " + TRAILER);
        assertThat(d.frame(1).violations()).isEmpty();
        assertThat(d.frame(2).rules()).containsExactly("text-invalid-utf8");
        assertThat(d.frame(2).violations().get(0).offset()).isEqualTo(12);
        assertThat(d.message(1).utf8InvalidAt()).isEqualTo(1);
    }

    @Test
    void textCompressedInvalidUtf8PointsAtThePayloadOfTheFrameThatProducedIt() {
        // a stored DEFLATE block (RFC 1951 3.2.4) makes clear which frame yields which decoded bytes:
        // block header, LEN 5, NLEN, then "ab" in frame 1 and FF "cd" (and the flush block header) in frame 2
        String f1 = "41 07 00 05 00 fa ff 61 62";
        String f2 = "80 04 ff 63 64 00";
        Decoded d = decodeAllWays(Setup.plain().deflate(false), HI + " " + f1 + " " + f2 + " " + TRAILER);
        assertThat(d.frame(1).violations()).isEmpty();
        // frame 2 starts at 13, its payload at 15
        assertViolation(d.frame(2), "text-invalid-utf8", 15, "RFC 6455 8.1");
        assertThat(d.message(1).utf8InvalidAt()).isEqualTo(2);
        assertThat(d.message(1).payloadHex()).isEqualTo("6162ff6364");
        assertTrailerIntact(d, 19);
    }

    // ---- permessage-deflate -------------------------------------------------------------------

    @Test
    void rsv1OnContinuation() {
        Decoded d = decodeAllWays(Setup.plain().deflate(false), HI + " 01 01 61  c0 01 62 " + TRAILER);
        assertThat(d.frame(1).violations()).isEmpty();
        assertViolation(d.frame(2), "rsv1-on-continuation", 7, "RFC 7692 6");
        assertThat(d.message(1).text()).isEqualTo("ab");
        assertTrailerIntact(d, 10);
    }

    @Test
    void rsv1OnContinuationWithoutDeflateIsAReservedBit() {
        Decoded d = decodeAllWays(HI + " 01 01 61  c0 01 62 " + TRAILER);
        assertViolation(d.frame(2), "reserved-bit-set", 7, "RFC 6455 5.2");
    }

    @Test
    void rsv1OnControlFrame() {
        Decoded d = decodeAllWays(Setup.plain().deflate(false), HI + " c9 01 7a " + TRAILER);
        assertViolation(d.frame(1), "rsv1-on-control-frame", 4, "RFC 7692 6");
        assertThat(d.frame(1).controlPayloadHex()).isEqualTo("7a");
        assertTrailerIntact(d, 7);
    }

    @Test
    void rsv1OnCloseFrame() {
        Decoded d = decodeAllWays(Setup.plain().deflate(false), HI + " c8 02 03 e8");
        assertViolation(d.frame(1), "rsv1-on-control-frame", 4, "RFC 7692 6");
        assertThat(d.frame(1).controlPayloadHex()).isEqualTo("03e8");
    }

    /** The index of the byte at which zlib, fed one byte at a time, rejects a raw DEFLATE stream; -1 if never. */
    static int zlibFailIndex(byte[] compressedWithTail) {
        Inflater inf = new Inflater(true);
        byte[] out = new byte[1 << 16];
        try {
            for (int i = 0; i < compressedWithTail.length; i++) {
                inf.setInput(compressedWithTail, i, 1);
                try {
                    while (inf.inflate(out) > 0) {
                        // drain
                    }
                } catch (DataFormatException e) {
                    return i;
                }
            }
            return -1;
        } finally {
            inf.end();
        }
    }

    @Test
    void corruptDeflateStreamThenAGoodMessage() {
        // 7.2.3.3's stored block with NLEN broken (fa fe instead of fa ff), then 7.2.3.1's "Hello"
        String bad = "00 05 00 fa fe 48 65 6c 6c 6f 00";
        assertThat(zlibFailIndex(concat(hex(bad), hex("00 00 ff ff")))).isEqualTo(4);
        for (boolean noContext : new boolean[] {true, false}) {
            Decoded d = decodeAllWays(Setup.plain().deflate(noContext),
                    HI + " c1 0b " + bad + "  c1 07 f2 48 cd c9 c9 07 00 " + TRAILER);
            // frame at 4, payload at 6, NLEN's second byte at 6 + 4
            assertViolation(d.frame(1), "deflate-stream-invalid", 10, "RFC 7692 7.2.2");
            assertThat(d.message(1).rules()).containsExactly("deflate-stream-invalid");
            assertThat(d.message(1).length()).isZero();
            assertThat(d.message(2).text()).isEqualTo("Hello");
            assertThat(d.message(2).violations()).isEmpty();
            assertThat(d.frame(2).violations()).isEmpty();
            assertTrailerIntact(d, 26);
        }
    }

    @Test
    void emptyCompressedPayloadIsBlamedOnItsOwnMessage() {
        // RFC 7692 7.2.3.6: an empty message compresses to 0x00; zero bytes with RSV1 leave the
        // receiver's inflater inside a block. The violation belongs to the empty message, and the
        // following message (7.2.3.2's shared-window pair) still decodes with the context intact.
        Decoded d = decodeAllWays(Setup.plain().deflate(false),
                HI + " c1 07 f2 48 cd c9 c9 07 00  c1 00  c1 05 f2 00 11 00 00 " + TRAILER);
        // HI is 4 bytes, "Hello" frame 9, so the empty frame is at 13 and its payload at 15
        assertViolation(d.frame(2), "deflate-stream-invalid", 15, "RFC 7692 7.2.2");
        assertThat(d.message(2).length()).isZero();
        assertThat(d.message(3).text()).isEqualTo("Hello");
        assertThat(d.message(3).violations()).isEmpty();
    }

    @Test
    void corruptDeflateStreamKeepsWhatWasDecodedBeforeTheBadByte() {
        // "Hello" (7.2.3.1) with its sync-flush marker kept, then a stored block whose NLEN is wrong
        String payload = "f2 48 cd c9 c9 07 00 00 00 ff ff 00 05 00 fa fe 48 65 6c 6c 6f";
        int failAt = zlibFailIndex(hex(payload));
        assertThat(failAt).isEqualTo(15);
        Decoded d = decodeAllWays(Setup.plain().deflate(true), HI + " c1 15 " + payload + " " + TRAILER);
        assertViolation(d.frame(1), "deflate-stream-invalid", 6 + failAt, "RFC 7692 7.2.2");
        assertThat(d.message(1).text()).isEqualTo("Hello");
        assertThat(d.message(1).violations().get(0).detail()).contains("after 5 decoded bytes");
        assertTrailerIntact(d, 27);
    }

    @Test
    void corruptDeflateStreamInTheSecondFragment() {
        // the same broken stored block split after LEN: NLEN's bad byte is the second payload byte of frame 2
        Decoded d = decodeAllWays(Setup.plain().deflate(true),
                HI + " 41 03 00 05 00  80 08 fa fe 48 65 6c 6c 6f 00 " + TRAILER);
        assertThat(d.frame(1).violations()).isEmpty();
        // frame 2 at 9, payload at 11
        assertViolation(d.frame(2), "deflate-stream-invalid", 12, "RFC 7692 7.2.2");
        assertThat(d.message(1).frames()).isEqualTo(2);
        assertTrailerIntact(d, 19);
    }

    @Test
    void corruptDeflateStreamWithPingBetweenFragments() {
        Decoded d = decodeAllWays(Setup.plain().deflate(true),
                HI + " 41 03 00 05 00  89 01 7a  80 08 fa fe 48 65 6c 6c 6f 00 " + TRAILER);
        assertThat(d.frame(2).violations()).isEmpty();
        assertViolation(d.frame(3), "deflate-stream-invalid", 15, "RFC 7692 7.2.2");
        assertTrailerIntact(d, 22);
    }

    @Test
    void corruptDeflateAndInvalidTextAreOnlyReportedOnce() {
        // invalid block type (BTYPE=11) in the very first byte
        Decoded d = decodeAllWays(Setup.plain().deflate(true), HI + " c1 03 07 ff ff " + TRAILER);
        assertViolation(d.frame(1), "deflate-stream-invalid", 6, "RFC 7692 7.2.2");
        assertThat(d.message(1).rules()).containsExactly("deflate-stream-invalid");
    }

    @Test
    void compressedFrameWithoutDeflateNegotiatedIsNotInflated() {
        Decoded d = decodeAllWays(Setup.plain(), "c2 07 f2 48 cd c9 c9 07 00");
        assertThat(d.frame(0).rules()).containsExactly("reserved-bit-set");
        assertThat(d.message(0).compressed()).isFalse();
        assertThat(d.message(0).payloadHex()).isEqualTo("f248cdc9c90700");
    }

    @Test
    void compressedTextFromJdkDeflaterWithInvalidUtf8() {
        byte[] text = hex("68 65 6c 6c 6f ed a0 80 21");
        Deflater def = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        def.setInput(text);
        byte[] buf = new byte[256];
        int n = def.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
        def.end();
        byte[] payload = java.util.Arrays.copyOf(buf, n - 4);
        Decoded d = decodeAllWays(Setup.plain().deflate(false), Frames.rawFrame(0xC1, null, payload));
        // ED A0 is a surrogate: the A0 at message byte 6 is the first that cannot be valid
        assertViolation(d.frame(0), "text-invalid-utf8", 2, "RFC 6455 8.1");
        assertThat(d.message(0).utf8InvalidAt()).isEqualTo(6);
        assertThat(d.message(0).payload()).isEqualTo(text);
    }

    // ---- truncation ------------------------------------------------------------------------------

    @Test
    void truncatedInFirstHeaderByte() {
        Decoded d = decodeAllWays(HI + " 81");
        assertThat(d.frames()).hasSize(1);
        assertThat(d.truncation().rule()).isEqualTo("truncated-frame");
        assertThat(d.truncation().offset()).isEqualTo(4);
    }

    @Test
    void truncatedInExtendedLength() {
        Decoded d = decodeAllWays(HI + " 82 7f 00 00 00");
        assertThat(d.frames()).hasSize(1);
        assertThat(d.truncation().rule()).isEqualTo("truncated-frame");
        assertThat(d.truncation().offset()).isEqualTo(4);
    }

    @Test
    void truncatedInMaskKey() {
        Decoded d = decodeAllWays(HI + " 81 85 37 fa 21");
        assertThat(d.frames()).hasSize(1);
        assertThat(d.truncation().offset()).isEqualTo(4);
    }

    @Test
    void truncatedInPayload() {
        Decoded d = decodeAllWays(HI + " 81 85 37 fa 21 3d 7f 9f");
        assertThat(d.frames()).hasSize(2);
        assertThat(d.frame(1).ended()).isFalse();
        assertThat(d.frame(1).text()).isEqualTo("He");
        assertThat(d.messages()).hasSize(1);
        assertThat(d.truncation().rule()).isEqualTo("truncated-frame");
        assertThat(d.truncation().rfc()).isEqualTo("RFC 6455 5.2");
        assertThat(d.truncation().offset()).isEqualTo(4);
        assertThat(d.truncation().detail()).contains("2").contains("5");
    }

    @Test
    void truncatedInLongPayload() {
        byte[] frame = Frames.rawFrame(0x82, null, Frames.counting(70000));
        Decoded d = decodeAllWays(Setup.plain(), concat(hex(HI), java.util.Arrays.copyOf(frame, 40000)));
        assertThat(d.truncation().offset()).isEqualTo(4);
        assertThat(d.frame(1).payloadLength()).isEqualTo(70000);
        assertThat(d.frame(1).payloadHex()).hasSize(2 * (40000 - 10));
    }

    @Test
    void notTruncatedAtAFrameBoundary() {
        assertThat(decodeAllWays(HI + " 89 00").truncation()).isNull();
        assertThat(decodeAllWays("").truncation()).isNull();
        assertThat(decodeAllWays("").frames()).isEmpty();
    }
}
