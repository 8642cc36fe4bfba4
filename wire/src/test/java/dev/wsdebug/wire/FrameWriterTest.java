package dev.wsdebug.wire;

import static dev.wsdebug.wire.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wsdebug.wire.Frames.Decoded;
import dev.wsdebug.wire.Frames.Setup;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** FrameWriter and FrameSpec, including the deliberately invalid frames it can write. */
class FrameWriterTest {

    @Test
    void everyHeaderBit() {
        FrameWriter w = new FrameWriter();
        assertThat(w.encode(new FrameSpec(false, true, true, true, 0x5, null, 0, hex("aa"))))
                .isEqualTo(hex("75 01 aa"));
        assertThat(w.encode(new FrameSpec(true, false, true, false, 0xF, null, 0, null))).isEqualTo(hex("af 00"));
    }

    @Test
    void forcedNonMinimalEncodings() {
        FrameWriter w = new FrameWriter();
        assertThat(w.encode(FrameSpec.of(Opcode.BINARY, hex("01 02")).withLengthEncoding(16)))
                .isEqualTo(hex("82 7e 00 02 01 02"));
        assertThat(w.encode(FrameSpec.of(Opcode.BINARY, hex("01 02")).withLengthEncoding(64)))
                .isEqualTo(hex("82 7f 00 00 00 00 00 00 00 02 01 02"));
        assertThat(w.encode(FrameSpec.of(Opcode.BINARY, new byte[0]).withLengthEncoding(7))).isEqualTo(hex("82 00"));
        assertThat(FrameWriter.headerLength(2, 64, true)).isEqualTo(14);
        assertThatThrownBy(() -> w.encode(FrameSpec.of(Opcode.BINARY, new byte[126]).withLengthEncoding(7)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.encode(FrameSpec.of(Opcode.BINARY, new byte[65536]).withLengthEncoding(16)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidFramesDecodeToTheirViolations() {
        FrameWriter w = new FrameWriter();
        byte[] input = Frames.concat(
                w.encode(FrameSpec.of(Opcode.PING, new byte[126])),
                w.encode(FrameSpec.of(0x3, hex("01"))),
                w.encode(FrameSpec.of(Opcode.TEXT, Frames.utf8("x")).withLengthEncoding(64)));
        Decoded d = Frames.decodeAllWays(Setup.plain(), input);
        assertThat(d.frame(0).rules()).containsExactly("control-frame-too-long");
        assertThat(d.frame(1).rules()).containsExactly("reserved-opcode");
        assertThat(d.frame(2).rules()).containsExactly("non-minimal-length");
    }

    @Test
    void writeAtAnOffset() {
        FrameWriter w = new FrameWriter();
        byte[] dst = new byte[20];
        int n = w.write(FrameSpec.of(Opcode.TEXT, Frames.utf8("Hello")).withMask(0x37fa213d), dst, 3);
        assertThat(n).isEqualTo(11);
        assertThat(java.util.Arrays.copyOfRange(dst, 3, 14)).isEqualTo(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
        assertThat(java.util.Arrays.copyOfRange(dst, 0, 3)).containsOnly(0);
        assertThat(java.util.Arrays.copyOfRange(dst, 14, 20)).containsOnly(0);
    }

    @Test
    void randomMaskKeysComeFromTheGivenGenerator() {
        FrameWriter a = new FrameWriter(new Random(9));
        FrameWriter b = new FrameWriter(new Random(9));
        assertThat(a.randomMaskKey()).isEqualTo(b.randomMaskKey());
        assertThat(a.randomMaskKey()).isEqualTo(new Random(9).ints(2).toArray()[1]);
    }

    @Test
    void closePayload() {
        assertThat(FrameWriter.closePayload(1000, null)).isEqualTo(hex("03 e8"));
        assertThat(FrameWriter.closePayload(4999, "\u00e9")).isEqualTo(hex("13 87 c3 a9"));
    }

    @Test
    void specValidation() {
        assertThatThrownBy(() -> FrameSpec.of(16, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FrameSpec.of(-1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FrameSpec.of(1, null).withLengthEncoding(32)).isInstanceOf(IllegalArgumentException.class);
        FrameSpec s = FrameSpec.of(Opcode.TEXT, null);
        assertThat(s.payload()).isEmpty();
        assertThat(s.fin()).isTrue();
        assertThat(s.maskKey()).isNull();
        FrameSpec t = s.withFin(false).withRsv(true, false, true).withMask(5).withLengthEncoding(16);
        assertThat(t).extracting(FrameSpec::fin, FrameSpec::rsv1, FrameSpec::rsv2, FrameSpec::rsv3, FrameSpec::maskKey,
                FrameSpec::lengthEncoding).containsExactly(false, true, false, true, 5, 16);
    }

    @Test
    void opcodesAndDirections() {
        assertThat(Opcode.name(0)).isEqualTo("continuation");
        assertThat(Opcode.name(1)).isEqualTo("text");
        assertThat(Opcode.name(2)).isEqualTo("binary");
        assertThat(Opcode.name(8)).isEqualTo("close");
        assertThat(Opcode.name(9)).isEqualTo("ping");
        assertThat(Opcode.name(10)).isEqualTo("pong");
        assertThat(Opcode.name(0xB)).isEqualTo("reserved-0xb");
        for (int op = 0; op < 16; op++) {
            assertThat(Opcode.fromName(Opcode.name(op))).isEqualTo(op);
            assertThat(Opcode.isControl(op)).isEqualTo(op >= 8);
            assertThat(Opcode.isReserved(op)).isEqualTo(op >= 3 && op <= 7 || op >= 11);
            assertThat(Opcode.isData(op)).isEqualTo(op == 1 || op == 2);
        }
        assertThat(Opcode.fromName("nope")).isEqualTo(-1);
        assertThat(Direction.fromId("C2S")).isEqualTo(Direction.C2S);
        assertThat(Direction.fromId("s2c")).isEqualTo(Direction.S2C);
        assertThat(Direction.fromId("x")).isNull();
        assertThat(Direction.C2S.opposite()).isEqualTo(Direction.S2C);
        assertThat(Direction.S2C.sender()).isEqualTo("server");
    }
}
