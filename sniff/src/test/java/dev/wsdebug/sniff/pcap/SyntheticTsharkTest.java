package dev.wsdebug.sniff.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.wsdebug.sniff.pcap.PcapReaderTest.all;
import static dev.wsdebug.sniff.pcap.PcapReaderTest.bytes;
import static dev.wsdebug.sniff.pcap.PcapngFile.option;
import static dev.wsdebug.sniff.pcap.PcapngFile.tsresol;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test's own pcap and pcapng files, read here and by tshark: the same frames with the same
 * times (resolutions and offsets applied), lengths and interfaces. tshark thereby also checks
 * that the test writers lay the formats out as the drafts say.
 */
class SyntheticTsharkTest {
    private static final String[] FIELDS = {"frame.number", "frame.time_epoch", "frame.len", "frame.cap_len",
            "frame.interface_id", "frame.section_number"};

    private static List<String> ours(byte[] file) throws IOException {
        List<String> out = new ArrayList<>();
        try (PacketReader r = CaptureFiles.open(new ByteArrayInputStream(file))) {
            for (Packet p : all(r)) {
                out.add(p.number() + " " + p.timeNanos() + " " + p.originalLength() + " " + p.data().length + " "
                        + p.interfaceId());
            }
        }
        return out;
    }

    /**
     * tshark's frames; its interface ids count within a section, so {@code sectionBases} gives how
     * many interfaces the sections before each one described (ids here are unique in the file).
     */
    private static List<String> tsharks(Path dir, String name, byte[] file, int... sectionBases) throws Exception {
        Path path = dir.resolve(name);
        Files.write(path, file);
        List<String> out = new ArrayList<>();
        for (String[] row : Tshark.fields(path, List.of(), FIELDS)) {
            if (row[1].isEmpty()) {
                continue; // a record that is no packet (a custom block)
            }
            int dot = row[1].indexOf('.');
            long nanos = Long.parseLong(row[1].substring(0, dot)) * 1_000_000_000L + Long.parseLong(row[1].substring(dot + 1));
            int id = row[4].isEmpty() ? 0 : Integer.parseInt(row[4]) + sectionBases[Integer.parseInt(row[5]) - 1];
            out.add(row[0] + " " + nanos + " " + row[2] + " " + row[3] + " " + id);
        }
        return out;
    }

    @Test
    void pcapInBothByteOrdersAndResolutions(@TempDir Path dir) throws Exception {
        for (ByteOrder order : new ByteOrder[]{ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            for (int magic : new int[]{PcapFile.MICROS, PcapFile.NANOS}) {
                byte[] file = new PcapFile(order, magic, 128, 1)
                        .record(1_700_000_000L, 999_999, bytes(60, 1))
                        .record(1_700_000_001L, 1, bytes(128, 2), 128, 1514)
                        .record(0xFFFF_FFF0L, 0, bytes(1, 3)).bytes();
                assertThat(ours(file)).isEqualTo(tsharks(dir, "t.pcap", file, 0)).hasSize(3);
            }
        }
    }

    @Test
    void pcapngSectionsResolutionsOffsetsAndEveryPacketBlock(@TempDir Path dir) throws Exception {
        PcapngFile f = new PcapngFile(ByteOrder.LITTLE_ENDIAN);
        f.iface(1, 0)
                .iface(113, 0, tsresol(9), f.tsoffset(-3600))
                .nrb(option(1, new byte[]{10, 0, 0, 1, 'h', 0}))
                .epb(0, 1_700_000_000_654_321L, bytes(60, 1), 60, option(1, "hi".getBytes(StandardCharsets.UTF_8)))
                .epb(1, 1_700_000_000_123_456_789L, bytes(61, 2), 1000)
                .dsb(PcapngFile.TLS_KEY_LOG, "CLIENT_RANDOM 00 11\n".getBytes(StandardCharsets.US_ASCII))
                .isb(1)
                .pb(1, 1_600_000_000_000_000_001L, bytes(62, 3), 62)
                .custom(0x0BAD, new byte[0])
                .section(ByteOrder.BIG_ENDIAN, -1);
        f.iface(1, 0, tsresol(0x80 | 10), f.tsoffset(1_000_000_000L))
                .iface(101, 0, tsresol(3))
                .epb(0, (700_000_000L << 10) + 1023, bytes(63, 4))
                .epb(1, 1_700_000_000_999L, bytes(64, 5))
                .block(0x0000_7777, new byte[8])
                .section(ByteOrder.LITTLE_ENDIAN, 48 + 20 + 96)
                .iface(1, 0, tsresol(7))
                .epb(0, 17_000_000_001_234_567L, bytes(65, 6));
        // Not compared here: resolutions finer than a nanosecond, which tshark 4.0 gets wrong (its
        // (units % per-second) * 10^9 overflows 64 bits); TimeResolutionTest checks them.
        byte[] file = f.bytes();
        // The custom block is frame 4 for tshark (with no time), and takes number 4 here too.
        assertThat(ours(file)).isEqualTo(tsharks(dir, "t.pcapng", file, 0, 2, 4)).hasSize(6);
    }
}
