package dev.wsdebug.sniff.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PcapReaderTest {
    private static final byte[] FRAME = bytes(64, 1);

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i * 13);
        }
        return b;
    }

    static PcapReader reader(byte[] file) throws IOException {
        return new PcapReader(new ByteArrayInputStream(file));
    }

    static List<Packet> all(PacketReader r) throws IOException {
        List<Packet> out = new ArrayList<>();
        for (Packet p = r.next(); p != null; p = r.next()) {
            out.add(p);
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"LITTLE, false", "BIG, false", "LITTLE, true", "BIG, true"})
    void bothByteOrdersMicroAndNanoseconds(String order, boolean nanos) throws IOException {
        ByteOrder o = order.equals("BIG") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        PcapFile f = new PcapFile(o, nanos ? PcapFile.NANOS : PcapFile.MICROS, 262144, 113)
                .record(1_700_000_000L, nanos ? 123_456_789 : 123_456, FRAME)
                .record(0xFFFF_FFF0L, nanos ? 999_999_999 : 999_999, bytes(20, 5), 20, 1500);
        try (PcapReader r = reader(f.bytes())) {
            assertThat(r.format()).isEqualTo("pcap");
            assertThat(r.linkType()).isEqualTo(113);
            assertThat(r.snapLength()).isEqualTo(262144);
            assertThat(r.nanosecond()).isEqualTo(nanos);
            Packet p = r.next();
            assertThat(p.number()).isEqualTo(1);
            assertThat(p.timeNanos()).isEqualTo(1_700_000_000_123_456_000L + (nanos ? 789 : 0));
            assertThat(p.linkType()).isEqualTo(113);
            assertThat(p.data()).isEqualTo(FRAME);
            assertThat(p.originalLength()).isEqualTo(64);
            assertThat(p.interfaceId()).isZero();
            assertThat(p.truncated()).isFalse();
            Packet q = r.next();
            assertThat(q.number()).isEqualTo(2);
            // Seconds are unsigned 32-bit: 2106, not 1969.
            assertThat(q.timeNanos()).isEqualTo(0xFFFF_FFF0L * 1_000_000_000L + (nanos ? 999_999_999L : 999_999_000L));
            assertThat(q.truncated()).isTrue();
            assertThat(q.originalLength()).isEqualTo(1500);
            assertThat(r.next()).isNull();
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void fcsBitsGiveTheLinkTypeAndAnFcsToRemove() throws IOException {
        // FCS length 2 (16-bit words) with the P bit: 4 bytes end every packet.
        int field = 2 << 28 | 0x0400_0000 | 1;
        PcapFile f = new PcapFile(ByteOrder.BIG_ENDIAN, PcapFile.MICROS, 65535, field)
                .record(1, 0, FRAME) // whole, FCS included
                .record(2, 0, Arrays.copyOf(FRAME, 62), 62, 64) // snap length cut inside the FCS
                .record(3, 0, Arrays.copyOf(FRAME, 40), 40, 64); // cut before it
        try (PcapReader r = reader(f.bytes())) {
            assertThat(r.linkType()).isEqualTo(1);
            assertThat(r.fcsBytes()).isEqualTo(4);
            List<Packet> packets = all(r);
            assertThat(packets).extracting(Packet::linkType).containsOnly(1);
            assertThat(packets.get(0).data()).isEqualTo(Arrays.copyOf(FRAME, 60));
            assertThat(packets.get(0).originalLength()).isEqualTo(60);
            assertThat(packets.get(0).truncated()).isFalse();
            assertThat(packets.get(1).data()).isEqualTo(Arrays.copyOf(FRAME, 60));
            assertThat(packets.get(1).truncated()).isFalse();
            assertThat(packets.get(2).data()).isEqualTo(Arrays.copyOf(FRAME, 40));
            assertThat(packets.get(2).originalLength()).isEqualTo(60);
        }
    }

    @Test
    void otherUpperBitsAreIgnored() throws IOException {
        // Reserved bits, and an FCS length without the P bit that would make it valid.
        for (int field : new int[]{0x03FF_0001, 0x2000_0001, 0x0800_0001}) {
            try (PcapReader r = reader(new PcapFile(ByteOrder.LITTLE_ENDIAN, PcapFile.MICROS, 65535, field)
                    .record(1, 0, FRAME).bytes())) {
                assertThat(r.linkType()).isEqualTo(1);
                assertThat(r.fcsBytes()).isZero();
                assertThat(r.next().data()).isEqualTo(FRAME);
            }
        }
    }

    @Test
    void aRecordLongerThanTheSnapLengthIsReturnedWhole() throws IOException {
        try (PcapReader r = reader(new PcapFile(ByteOrder.LITTLE_ENDIAN, PcapFile.MICROS, 32, 1)
                .record(1, 0, FRAME).bytes())) {
            assertThat(r.next().data()).isEqualTo(FRAME);
        }
    }

    @Test
    void aHeaderOnlyFileHasNoPackets() throws IOException {
        try (PcapReader r = reader(PcapFile.ethernet().bytes())) {
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void aRecordPromisingMoreThanRemainsFailsAfterThePacketsBefore() throws IOException {
        byte[] file = PcapFile.ethernet().record(1, 0, FRAME).record(2, 0, FRAME).bytes();
        byte[] cut = Arrays.copyOf(file, file.length - 10);
        try (PcapReader r = reader(cut)) {
            assertThat(r.next().number()).isEqualTo(1);
            assertThatThrownBy(r::next).isInstanceOf(CaptureFormatException.class)
                    .hasMessage("the capture ends inside packet 2: its record at byte offset 104 promises 64 bytes but "
                            + "only 54 follow.");
            assertThat(r.next()).isNull();
        }
        byte[] inHeader = Arrays.copyOf(file, 24 + 16 + 64 + 5);
        try (PcapReader r = reader(inHeader)) {
            r.next();
            assertThatThrownBy(r::next).hasMessage("the capture ends inside the record header of packet 2 at byte offset "
                    + "104 (5 of its 16 bytes are there).");
        }
    }

    @Test
    void aDamagedLengthIsNotAllocated() throws IOException {
        byte[] file = PcapFile.ethernet().record(1, 0, FRAME, 0x7FFF_FFF0L, 64).bytes();
        try (PcapReader r = reader(file)) {
            assertThatThrownBy(r::next).isInstanceOf(CaptureFormatException.class)
                    .hasMessage("the record of packet 1 at byte offset 24 claims 2147483632 captured bytes, more than "
                            + "any packet has: the file is damaged.");
        }
        // A length that is plausible but not there: only the bytes that exist are held.
        byte[] promise = PcapFile.ethernet().record(1, 0, FRAME, 100 << 20, 100 << 20).bytes();
        try (PcapReader r = reader(promise)) {
            assertThatThrownBy(r::next).hasMessageContaining("promises 104857600 bytes but only 64 follow");
        }
    }

    @Test
    void headerErrors() {
        byte[] old = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(PcapFile.MICROS).putShort((short) 1)
                .array();
        assertThatThrownBy(() -> reader(old)).isInstanceOf(CaptureFormatException.class)
                .hasMessage("the file is pcap version 1.0, older than the 2.x this reader knows.");
        assertThatThrownBy(() -> reader(Arrays.copyOf(PcapFile.ethernet().bytes(), 10)))
                .hasMessage("the capture ends inside its 24-byte pcap file header (10 bytes are there).");
        assertThatThrownBy(() -> reader(new byte[0])).hasMessage("the file is empty, not a pcap or pcapng capture.");
        assertThatThrownBy(() -> reader(new PcapngFile(ByteOrder.LITTLE_ENDIAN).bytes()))
                .hasMessage("it is a pcapng capture, not a pcap one.");
    }
}
