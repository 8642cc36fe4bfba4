package dev.wsdebug.sniff.pcap;

import dev.wsdebug.sniff.packet.PacketDecoder;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static dev.wsdebug.sniff.pcap.CaptureFiles.Kind.HAR;
import static dev.wsdebug.sniff.pcap.CaptureFiles.Kind.PCAP;
import static dev.wsdebug.sniff.pcap.CaptureFiles.Kind.PCAPNG;
import static dev.wsdebug.sniff.pcap.CaptureFiles.Kind.UNKNOWN;
import static dev.wsdebug.sniff.pcap.CaptureFiles.Kind.WSDB;
import static dev.wsdebug.sniff.pcap.PcapReaderTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CaptureFilesTest {

    private static CaptureFiles.Kind kind(byte[] head) {
        return CaptureFiles.kind(head, head.length);
    }

    private static CaptureFiles.Kind kind(String head) {
        return kind(head.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] magic(int magic, ByteOrder order) {
        return ByteBuffer.allocate(4).order(order).putInt(magic).array();
    }

    @Test
    void kindsByContent() {
        assertThat(kind("SQLite format 3\0\u0010\0\u0002\u0002")).isEqualTo(WSDB);
        assertThat(kind("SQLite format 3")).isEqualTo(UNKNOWN); // no terminating zero yet
        for (ByteOrder o : new ByteOrder[]{ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            assertThat(kind(magic(0xA1B2C3D4, o))).isEqualTo(PCAP);
            assertThat(kind(magic(0xA1B23C4D, o))).isEqualTo(PCAP);
            assertThat(kind(magic(0xA1B2CD34, o))).isEqualTo(UNKNOWN); // Kuznetsov's modified pcap
        }
        assertThat(kind(new PcapngFile(ByteOrder.BIG_ENDIAN).bytes())).isEqualTo(PCAPNG);
        assertThat(kind(new PcapngFile(ByteOrder.LITTLE_ENDIAN).bytes())).isEqualTo(PCAPNG);
        assertThat(kind("{\"log\":{}}")).isEqualTo(HAR);
        assertThat(kind(" \r\n\t {")).isEqualTo(HAR);
        assertThat(kind("\uFEFF{")).isEqualTo(HAR);
        assertThat(kind("\uFEFF \n{")).isEqualTo(HAR);
        assertThat(kind("[{}]")).isEqualTo(UNKNOWN);
        assertThat(kind("   ")).isEqualTo(UNKNOWN);
        assertThat(kind("")).isEqualTo(UNKNOWN);
        assertThat(kind("GET / HTTP/1.1")).isEqualTo(UNKNOWN);
    }

    @Test
    void kindLooksOnlyAtTheFirstLenBytes() {
        byte[] head = "   {".getBytes(StandardCharsets.US_ASCII);
        assertThat(CaptureFiles.kind(head, 3)).isEqualTo(UNKNOWN);
        assertThat(CaptureFiles.kind(head, 100)).isEqualTo(HAR);
        assertThat(CaptureFiles.kind(magic(0xA1B2C3D4, ByteOrder.BIG_ENDIAN), 3)).isEqualTo(UNKNOWN);
    }

    @Test
    void openChoosesTheReaderByMagic() throws IOException {
        try (PacketReader r = CaptureFiles.open(new ByteArrayInputStream(PcapFile.ethernet().record(1, 0, bytes(60, 1))
                .bytes()))) {
            assertThat(r).isInstanceOf(PcapReader.class);
            assertThat(r.format()).isEqualTo("pcap");
            assertThat(r.next().data()).isEqualTo(bytes(60, 1));
        }
        byte[] ng = new PcapngFile(ByteOrder.BIG_ENDIAN).iface(1, 0).epb(0, 0, bytes(60, 2)).bytes();
        try (PacketReader r = CaptureFiles.open(new BufferedInputStream(new ByteArrayInputStream(ng), 16))) {
            assertThat(r.format()).isEqualTo("pcapng");
            assertThat(r.next().data()).isEqualTo(bytes(60, 2));
        }
    }

    @Test
    void whatIsNotACaptureIsOneSentence() {
        assertThatThrownBy(() -> open(new byte[0])).isInstanceOf(CaptureFormatException.class)
                .hasMessage("the file is empty, not a pcap or pcapng capture.");
        assertThatThrownBy(() -> open(new byte[]{0x3f, 0x2a, 0x11, 0, 0x5c, 0, 0, 0, 1, 2}))
                .hasMessage("it is not a pcap or pcapng capture (it starts with 3f 2a 11 00 5c 00 00 00 ...).");
        assertThatThrownBy(() -> open(new byte[]{1, 2, (byte) 0xff}))
                .hasMessage("it is not a pcap or pcapng capture (it starts with 01 02 ff).");
        assertThatThrownBy(() -> open("{\"log\": {\"version\": \"1.2\"}}".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("it is JSON (a HAR file?), not a pcap or pcapng capture.");
        assertThatThrownBy(() -> open("SQLite format 3\0rest".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("it is an SQLite database (a wsdebug .wsdb capture?), not a pcap or pcapng capture.");
    }

    private static void open(byte[] file) throws IOException {
        CaptureFiles.open(new ByteArrayInputStream(file)).close();
    }

    /**
     * Random bytes behind each magic, and valid captures with random bytes changed: reading and
     * decoding end, and the only exception is a CaptureFormatException.
     */
    @Test
    void randomAndDamagedInputOnlyEverGivesCaptureFormatExceptions() throws IOException {
        Random random = new Random(9);
        byte[][] valid = {TruncationTest.everyBlock().bytes(), TruncationTest.records().bytes()};
        byte[][] prefixes = {magic(0xA1B2C3D4, ByteOrder.LITTLE_ENDIAN), magic(0xA1B23C4D, ByteOrder.BIG_ENDIAN),
                new PcapngFile(ByteOrder.LITTLE_ENDIAN).bytes(), new PcapngFile(ByteOrder.BIG_ENDIAN).bytes(), {}};
        int failures = 0;
        for (int i = 0; i < 6000; i++) {
            byte[] file;
            if (i % 2 == 0) {
                file = valid[i / 2 % 2].clone();
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    file[random.nextInt(file.length)] = (byte) random.nextInt(256);
                }
                if (random.nextBoolean()) {
                    // An extreme value in a length-sized field: lengths are where readers break.
                    int[] extremes = {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x9000_0000, 0, 12, 0x7FFF_FFFC};
                    int at = random.nextInt(file.length / 4) * 4;
                    ByteBuffer.wrap(file).order(random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                            .putInt(at, extremes[random.nextInt(extremes.length)]);
                }
            } else {
                byte[] prefix = prefixes[random.nextInt(prefixes.length)];
                byte[] rest = new byte[random.nextInt(300)];
                random.nextBytes(rest);
                file = PcapngReaderTest.concat(prefix, rest);
            }
            failures += readAndDecode(file);
        }
        assertThat(failures).isPositive();
    }

    private static int readAndDecode(byte[] file) throws IOException {
        PacketDecoder decoder = new PacketDecoder();
        int failures = 0;
        try (PacketReader r = CaptureFiles.open(new ByteArrayInputStream(file))) {
            for (Packet p = r.next(); p != null; p = r.next()) {
                try {
                    decoder.decode(p);
                } catch (CaptureFormatException e) {
                    assertThat(e).hasMessageContaining("which wsdebug cannot decode");
                }
            }
        } catch (CaptureFormatException e) {
            assertThat(e.getMessage()).endsWith(".").doesNotContain("\n");
            failures++;
        }
        return failures;
    }
}
