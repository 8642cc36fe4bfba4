package dev.wsdebug.sniff.http2;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static dev.wsdebug.sniff.http2.H2Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

/** The frame layer of RFC 9113 4.1 and 6, from hex vectors, fed whole and one byte at a time. */
class FrameReaderTest {
    /** What a reader reported, one line each. */
    private static final class Lines implements FrameReader.Listener {
        final List<String> lines = new ArrayList<>();
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();

        @Override
        public void frame(Http2Frame f) {
            lines.add(FrameType.name(f.type()) + " s" + f.stream() + " f" + Integer.toHexString(f.flags()) + " "
                    + (f.payload() == null ? "skipped " + f.length() : HexFormat.of().formatHex(f.payload())));
        }

        @Override
        public void data(int stream, byte[] b, int off, int len) {
            data.write(b, off, len);
        }

        @Override
        public void dataEnd(int stream, int flags) {
            lines.add("DATA s" + stream + " f" + Integer.toHexString(flags) + " " + HexFormat.of().formatHex(data.toByteArray()));
            data.reset();
        }

        @Override
        public void broken(String sentence) {
            lines.add("broken: " + sentence);
        }
    }

    private static List<String> read(String hex, boolean byteByByte) {
        Lines l = new Lines();
        FrameReader r = new FrameReader(l);
        byte[] b = hex(hex);
        if (byteByByte) {
            for (int i = 0; i < b.length; i++) {
                r.feed(b, i, 1);
            }
        } else {
            r.feed(b, 0, b.length);
        }
        return l.lines;
    }

    private static void check(String hex, String... expected) {
        assertThat(read(hex, false)).containsExactly(expected);
        assertThat(read(hex, true)).as("one byte at a time").containsExactly(expected);
    }

    @Test
    void settingsPingWindowUpdateAndAnUnknownType() {
        check("000006 04 00 00000000 0008 00000001"
                        + "000008 06 01 00000000 0102030405060708"
                        + "000004 08 00 00000003 0000ffff"
                        + "000003 fa 00 00000000 abcdef"
                        + "000000 04 01 00000000",
                "SETTINGS s0 f0 000800000001", "PING s0 f1 0102030405060708", "WINDOW_UPDATE s3 f0 0000ffff",
                "type 0xfa s0 f0 abcdef", "SETTINGS s0 f1 ");
    }

    @Test
    void dataPaddingIsLeftOut() {
        // PADDED | END_STREAM: pad length 3, "hello", 3 bytes of padding; then an empty DATA
        check("000009 00 09 00000001 03 68656c6c6f 000000" + "000000 00 01 00000003",
                "DATA s1 f9 68656c6c6f", "DATA s3 f1 ");
    }

    @Test
    void paddingAsLongAsTheFrameBreaksIt() {
        check("000002 00 08 00000001 02 00" + "000000 04 01 00000000",
                "broken: DATA frame at byte 0 cannot be read: its padding (2 bytes) is longer than the frame");
        check("000000 00 08 00000001", "broken: DATA frame at byte 0 cannot be read: it is PADDED but has no Pad Length byte");
    }

    @Test
    void theReservedBitOfTheStreamIsIgnored() {
        check("000001 00 00 80000005 41", "DATA s5 f0 41");
    }

    @Test
    void aTruncatedFrameIsNeverDelivered() {
        check("000006 04 00 00000000 0008");
        check("00000a 01 04 00000001 82", new String[0]);
    }

    @Test
    void aFrameLongerThanKeptIsSkippedWithoutItsPayload() {
        int n = FrameReader.MAX_KEPT + 1;
        String len = String.format("%06x", n);
        StringBuilder hex = new StringBuilder(len + "01 04 00000001");
        hex.append("00".repeat(n));
        hex.append("000000 04 01 00000000");
        assertThat(read(hex.toString(), false)).containsExactly("HEADERS s1 f4 skipped " + n, "SETTINGS s0 f1 ");
    }

    @Test
    void continuationJoinsTheFieldBlockWithoutPaddingAndPriority() {
        List<String> blocks = new ArrayList<>();
        HeaderBlocks hb = new HeaderBlocks(b -> blocks.add(b.type() + " s" + b.stream() + " end=" + b.endStream() + " "
                + HexFormat.of().formatHex(b.fragment())));
        // HEADERS, PADDED|PRIORITY|END_STREAM, no END_HEADERS: pad 2, dependency, weight, "aabb", padding
        assertThat(hb.accept(new Http2Frame(1, 0x29, 3, 10, hex("02 80000001 0f aabb 0000")))).isNull();
        assertThat(hb.open()).isTrue();
        assertThat(hb.accept(new Http2Frame(9, 0, 3, 1, hex("cc")))).isNull();
        assertThat(hb.accept(new Http2Frame(9, 4, 3, 1, hex("dd")))).isNull();
        // PUSH_PROMISE, PADDED|END_HEADERS: pad 1, promised stream 2, "ee", padding
        assertThat(hb.accept(new Http2Frame(5, 0x0c, 3, 7, hex("01 00000002 ee 00")))).isNull();
        assertThat(blocks).containsExactly("1 s3 end=true aabbccdd", "5 s3 end=false ee");
    }

    @Test
    void anotherFrameInsideAFieldBlockBreaksTheFrameLayer() {
        HeaderBlocks hb = new HeaderBlocks(b -> { });
        assertThat(hb.accept(new Http2Frame(1, 0, 3, 1, hex("82")))).isNull();
        assertThat(hb.accept(new Http2Frame(6, 0, 0, 8, hex("0000000000000000"))))
                .isEqualTo("a PING frame on stream 0 came before the CONTINUATION of stream 3's field block");
        assertThat(new HeaderBlocks(b -> { }).accept(new Http2Frame(9, 4, 3, 1, hex("82"))))
                .isEqualTo("a CONTINUATION frame on stream 3 follows no HEADERS or PUSH_PROMISE");
        assertThat(new HeaderBlocks(b -> { }).accept(new Http2Frame(1, 0x0c, 3, 2, hex("05 82"))))
                .isEqualTo("the HEADERS frame of stream 3 is shorter (2 bytes) than its padding and fields");
    }

    @Test
    void settingsValues() {
        byte[] p = hex("0001 00001000 0008 00000001 0008 00000000");
        assertThat(Settings.wellFormed(p)).isTrue();
        assertThat(Settings.value(p, Settings.ENABLE_CONNECT_PROTOCOL)).isZero(); // the last one counts
        assertThat(Settings.value(p, 1)).isEqualTo(4096);
        assertThat(Settings.value(p, 3)).isEqualTo(-1);
        assertThat(Settings.wellFormed(hex("0001 0000"))).isFalse();
    }
}
