package dev.wsdebug.sniff.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static dev.wsdebug.sniff.pcap.PcapReaderTest.all;
import static dev.wsdebug.sniff.pcap.PcapReaderTest.bytes;
import static dev.wsdebug.sniff.pcap.PcapngFile.option;
import static dev.wsdebug.sniff.pcap.PcapngFile.tsresol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PcapngReaderTest {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final byte[] FRAME = bytes(61, 3); // not a multiple of 4: padding follows

    static PcapngReader reader(byte[] file) throws IOException {
        return new PcapngReader(new ByteArrayInputStream(file));
    }

    static List<Packet> read(PcapngFile f) throws IOException {
        try (PcapngReader r = reader(f.bytes())) {
            return all(r);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"LITTLE", "BIG"})
    void enhancedPacketsInEitherByteOrder(String order) throws IOException {
        ByteOrder o = order.equals("BIG") ? BE : LE;
        PcapngFile f = new PcapngFile(o).iface(1, 262144).epb(0, 1_700_000_000_123_456L, FRAME, 1514,
                option(1, "a comment".getBytes(StandardCharsets.UTF_8)));
        try (PcapngReader r = reader(f.bytes())) {
            assertThat(r.format()).isEqualTo("pcapng");
            Packet p = r.next();
            assertThat(p.number()).isEqualTo(1);
            assertThat(p.timeNanos()).isEqualTo(1_700_000_000_123_456_000L);
            assertThat(p.linkType()).isEqualTo(1);
            assertThat(p.data()).isEqualTo(FRAME);
            assertThat(p.originalLength()).isEqualTo(1514);
            assertThat(p.truncated()).isTrue();
            assertThat(p.interfaceId()).isZero();
            assertThat(r.next()).isNull();
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void sectionsResetInterfacesButIdsStayUniqueAndNumbersGoOn() throws IOException {
        PcapngFile f = new PcapngFile(LE).iface(1, 0).iface(113, 0)
                .epb(1, 1, FRAME).epb(0, 2, FRAME)
                .section(BE, 48 + 4 * 0).iface(0, 0)
                .epb(0, 3, FRAME)
                .section(LE, -1).iface(276, 0).iface(101, 0).iface(1, 0)
                .epb(2, 4, FRAME).epb(0, 5, FRAME);
        List<Packet> packets = read(f);
        assertThat(packets).extracting(Packet::number).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(packets).extracting(Packet::interfaceId).containsExactly(1, 0, 2, 5, 3);
        assertThat(packets).extracting(Packet::linkType).containsExactly(113, 1, 0, 1, 276);
        assertThat(packets).extracting(Packet::timeNanos).containsExactly(1000L, 2000L, 3000L, 4000L, 5000L);
    }

    @Test
    void aPacketMayOnlyNameAnInterfaceOfItsSection() throws IOException {
        PcapngFile f = new PcapngFile(LE).iface(1, 0).iface(1, 0).section(LE, -1).iface(1, 0).epb(1, 0, FRAME);
        try (PcapngReader r = reader(f.bytes())) {
            assertThatThrownBy(r::next).isInstanceOf(CaptureFormatException.class)
                    .hasMessage("packet 1 (byte offset 116) names interface 1, but its section describes only 1.");
        }
    }

    @Test
    void timestampResolutionsAndOffsets() throws IOException {
        PcapngFile f = new PcapngFile(LE);
        f.iface(1, 0) // microseconds by default
                .iface(1, 0, tsresol(6))
                .iface(1, 0, tsresol(9))
                .iface(1, 0, tsresol(0x80 | 10)) // 2^-10 s
                .iface(1, 0, tsresol(3), f.tsoffset(1_600_000_000L))
                .iface(1, 0, tsresol(9), f.tsoffset(-100))
                .iface(1, 0, tsresol(12)) // picoseconds: rounded down
                .epb(0, 1_700_000_000_000_001L, FRAME)
                .epb(1, 1_700_000_000_000_001L, FRAME)
                .epb(2, 1_700_000_000_000_000_001L, FRAME)
                .epb(3, (1_700_000_000L << 10) + 512 + 1, FRAME)
                .epb(4, 1_500, FRAME)
                .epb(5, 1_700_000_000_000_000_001L, FRAME)
                .epb(6, 1_234_567_891_999L, FRAME);
        assertThat(read(f)).extracting(Packet::timeNanos).containsExactly(
                1_700_000_000_000_001_000L,
                1_700_000_000_000_001_000L,
                1_700_000_000_000_000_001L,
                1_700_000_000_500_976_562L, // 513/1024 s = 0.5009765625 s, rounded down
                1_600_000_001_500_000_000L,
                1_699_999_900_000_000_001L,
                1_234_567_891L);
    }

    @Test
    void fcsLengthOptionIsRemoved() throws IOException {
        PcapngFile f = new PcapngFile(LE).iface(1, 0, option(13, new byte[]{32})).epb(0, 0, FRAME)
                .iface(1, 0, option(13, new byte[]{4})); // not a number of bytes: ignored
        List<Packet> packets = read(f.epb(1, 0, FRAME));
        assertThat(packets.get(0).data()).isEqualTo(Arrays.copyOf(FRAME, 57));
        assertThat(packets.get(0).originalLength()).isEqualTo(57);
        assertThat(packets.get(1).data()).isEqualTo(FRAME);
    }

    @Test
    void simplePacketBlocksUseTheFirstInterfaceAndThePreviousTime() throws IOException {
        PcapngFile f = new PcapngFile(LE).iface(113, 64).iface(1, 0)
                .spb(FRAME.length, FRAME) // no packet before: time 0
                .epb(1, 42, FRAME)
                .spb(100, bytes(64, 9)); // snap length 64 of 100
        List<Packet> packets = read(f);
        assertThat(packets).extracting(Packet::linkType).containsExactly(113, 1, 113);
        assertThat(packets).extracting(Packet::interfaceId).containsExactly(0, 1, 0);
        assertThat(packets).extracting(Packet::timeNanos).containsExactly(0L, 42_000L, 42_000L);
        assertThat(packets.get(0).data()).isEqualTo(FRAME);
        assertThat(packets.get(2).data()).isEqualTo(bytes(64, 9));
        assertThat(packets.get(2).originalLength()).isEqualTo(100);
    }

    @Test
    void simplePacketErrors() throws IOException {
        try (PcapngReader r = reader(new PcapngFile(LE).spb(4, new byte[4]).bytes())) {
            assertThatThrownBy(r::next).hasMessage("the simple packet block of packet 1 at byte offset 28 comes before "
                    + "any interface description in its section.");
        }
        // No snap length, so the block should hold all 100 bytes.
        try (PcapngReader r = reader(new PcapngFile(LE).iface(1, 0).spb(100, FRAME).bytes())) {
            assertThatThrownBy(r::next).hasMessage("the simple packet block of packet 1 at byte offset 48 is for a "
                    + "packet of 100 captured bytes but is only 80 bytes long.");
        }
    }

    @Test
    void obsoletePacketBlocks() throws IOException {
        PcapngFile f = new PcapngFile(BE).iface(1, 0).iface(101, 0, tsresol(9)).pb(1, 77, FRAME, 200).epb(0, 1, FRAME);
        List<Packet> packets = read(f);
        assertThat(packets).extracting(Packet::number).containsExactly(1L, 2L);
        assertThat(packets.get(0).linkType()).isEqualTo(101);
        assertThat(packets.get(0).timeNanos()).isEqualTo(77);
        assertThat(packets.get(0).data()).isEqualTo(FRAME);
        assertThat(packets.get(0).originalLength()).isEqualTo(200);
    }

    @Test
    void nameResolutionRecordsGoToOnName() throws IOException {
        byte[] v4 = {10, 0, 0, 1};
        byte[] v6 = new byte[16];
        v6[15] = 1;
        PcapngFile f = new PcapngFile(LE).iface(1, 0).nrb(
                option(1, concat(v4, "one.example\0uno.example\0".getBytes(StandardCharsets.UTF_8))),
                option(3, new byte[]{1, 2, 3, 4, 5, 6, 'e', 't', 'h', 0}), // EUI-48: not an IP address
                option(2, concat(v6, "localhost6\0".getBytes(StandardCharsets.UTF_8))),
                option(1, new byte[]{1, 2})); // too short to hold an address
        f.epb(0, 0, FRAME);
        List<String> names = new ArrayList<>();
        try (PcapngReader r = reader(f.bytes())) {
            r.onName((a, n) -> names.add(HexFormat.of().formatHex(a) + " " + n));
            assertThat(r.next()).isNotNull();
        }
        assertThat(names).containsExactly("0a000001 one.example", "0a000001 uno.example",
                "00000000000000000000000000000001 localhost6");
    }

    @Test
    void aMalformedNameRecordEndsTheNamesNotTheReading() throws IOException {
        ByteBuffer body = ByteBuffer.allocate(12).order(LE).putShort((short) 1).putShort((short) 200).put(new byte[8]);
        PcapngFile f = new PcapngFile(LE).iface(1, 0).block(PcapngFile.NRB, body.array()).epb(0, 0, FRAME);
        List<String> names = new ArrayList<>();
        try (PcapngReader r = reader(f.bytes())) {
            r.onName((a, n) -> names.add(n));
            assertThat(all(r)).hasSize(1);
        }
        assertThat(names).isEmpty();
    }

    @Test
    void tlsKeyLogSecretsComeBeforeThePacketsAfterThem() throws IOException {
        byte[] keys = "CLIENT_RANDOM 00112233 44556677\n".getBytes(StandardCharsets.US_ASCII);
        PcapngFile f = new PcapngFile(LE).iface(1, 0).epb(0, 0, FRAME)
                .dsb(PcapngFile.TLS_KEY_LOG, keys)
                .dsb(0x57474B4C, new byte[]{1, 2, 3}) // WireGuard keys: not for us
                .epb(0, 1, FRAME);
        List<String> events = new ArrayList<>();
        try (PcapngReader r = reader(f.bytes())) {
            r.onSecrets(s -> events.add("secrets " + new String(s, StandardCharsets.US_ASCII).strip()));
            for (Packet p = r.next(); p != null; p = r.next()) {
                events.add("packet " + p.number());
            }
        }
        assertThat(events).containsExactly("packet 1", "secrets CLIENT_RANDOM 00112233 44556677", "packet 2");
    }

    @Test
    void secretsThatRunPastTheirBlockAreAnError() throws IOException {
        ByteBuffer body = ByteBuffer.allocate(12).order(LE).putInt(PcapngFile.TLS_KEY_LOG).putInt(40).put(new byte[4]);
        try (PcapngReader r = reader(new PcapngFile(LE).block(PcapngFile.DSB, body.array()).bytes())) {
            assertThatThrownBy(r::next).hasMessage("the decryption secrets block at byte offset 28 says it holds 40 "
                    + "bytes of secrets but is only 24 bytes long.");
        }
    }

    @Test
    void statisticsCustomAndUnknownBlocksAreSkippedButNumberedAsTsharkDoes() throws IOException {
        PcapngFile f = new PcapngFile(LE).iface(1, 0).epb(0, 0, FRAME)
                .isb(0)
                .custom(0x0BAD, new byte[]{1, 2, 3, 4})
                .custom(0x40000BAD, new byte[0])
                .block(0x00000009, new byte[100]) // systemd journal export
                .block(0x80001234, new byte[8]) // local use
                .block(0x12345678, new byte[0])
                .epb(0, 1, FRAME);
        // Wireshark shows custom and systemd journal blocks as frames 2, 3 and 4.
        assertThat(read(f)).extracting(Packet::number).containsExactly(1L, 5L);
    }

    @Test
    void lengthsMustAgreeAtBothEnds() throws IOException {
        byte[] file = new PcapngFile(LE).iface(1, 0).epb(0, 0, FRAME).epb(0, 1, FRAME).bytes();
        int secondEnd = file.length; // its trailer is the last 4 bytes
        ByteBuffer.wrap(file).order(LE).putInt(secondEnd - 4, 999);
        try (PcapngReader r = reader(file)) {
            assertThat(r.next()).isNotNull();
            assertThatThrownBy(r::next).isInstanceOf(CaptureFormatException.class)
                    .hasMessage("the enhanced packet block at byte offset 144 gives its length as 96 bytes at its start "
                            + "but 999 at its end.");
            assertThat(r.next()).isNull();
        }
        byte[] idb = new PcapngFile(LE).iface(1, 0).bytes();
        ByteBuffer.wrap(idb).order(LE).putInt(idb.length - 4, 24);
        assertThatThrownBy(() -> all(reader(idb))).hasMessage(
                "the interface description block at byte offset 28 gives its length as 20 bytes at its start but 24 at "
                        + "its end.");
    }

    @Test
    void impossibleLengths() throws IOException {
        byte[] file = new PcapngFile(LE).iface(1, 0).bytes();
        ByteBuffer.wrap(file).order(LE).putInt(28 + 4, 10);
        assertThatThrownBy(() -> all(reader(file))).hasMessage(
                "the interface description block at byte offset 28 declares a length of 10 bytes, less than the 12 of "
                        + "an empty block.");
        ByteBuffer.wrap(file).order(LE).putInt(28 + 4, 22);
        assertThatThrownBy(() -> all(reader(file))).hasMessage(
                "the interface description block at byte offset 28 declares a length of 22 bytes, not a multiple of 4.");

        byte[] epb = new PcapngFile(LE).iface(1, 0).epb(0, 0, FRAME).bytes();
        ByteBuffer.wrap(epb).order(LE).putInt(48 + 20, 1000); // captured length
        assertThatThrownBy(() -> all(reader(epb))).hasMessage(
                "the enhanced packet block of packet 1 at byte offset 48 says it holds 1000 captured bytes but is only "
                        + "96 bytes long.");
        byte[] huge = new PcapngFile(LE).iface(1, 0).epb(0, 0, FRAME).bytes();
        ByteBuffer.wrap(huge).order(LE).putInt(48 + 4, 0xFFFF_FFFC).putInt(48 + 20, 0x9000_0000);
        assertThatThrownBy(() -> all(reader(huge))).hasMessage(
                "the enhanced packet block of packet 1 at byte offset 48 claims 2415919104 captured bytes, more than "
                        + "any packet has: the file is damaged.");
        byte[] tiny = new PcapngFile(LE).iface(1, 0).block(PcapngFile.EPB, new byte[8]).bytes();
        assertThatThrownBy(() -> all(reader(tiny))).hasMessage(
                "the enhanced packet block at byte offset 48 is only 20 bytes long, too short for its fields.");
    }

    @Test
    void sectionHeaderErrors() throws IOException {
        byte[] v2 = new PcapngFile(LE).bytes();
        v2[12] = 2;
        assertThatThrownBy(() -> reader(v2)).isInstanceOf(CaptureFormatException.class)
                .hasMessage("the section at byte offset 0 is pcapng version 2.0, which this reader does not know (it "
                        + "reads 1.x).");
        byte[] magic = new PcapngFile(LE).bytes();
        magic[8] = 0x55;
        assertThatThrownBy(() -> reader(magic)).hasMessage(
                "the section header block at byte offset 0 has no valid byte-order magic (it reads 55 3c 2b 1a).");
        byte[] second = new PcapngFile(LE).iface(1, 0).section(BE, -1).bytes();
        second[48 + 8] = 0x55;
        try (PcapngReader r = reader(second)) {
            assertThatThrownBy(r::next).hasMessageStartingWith("the section header block at byte offset 48 has no valid");
        }
        assertThatThrownBy(() -> reader(PcapFile.ethernet().bytes())).hasMessage("it is a pcap capture, not a pcapng one.");
    }

    @Test
    void interfaceOptionsMustFitTheirBlock() throws IOException {
        ByteBuffer body = ByteBuffer.allocate(16).order(LE).putShort((short) 1).putShort((short) 0).putInt(0)
                .putShort((short) 9).putShort((short) 40).putInt(0);
        byte[] file = new PcapngFile(LE).block(PcapngFile.IDB, body.array()).bytes();
        assertThatThrownBy(() -> all(reader(file))).hasMessage(
                "the interface description block at byte offset 28 has an option (code 9) that runs past its end.");
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
