package dev.wsdebug.sniff.pcap;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.wsdebug.sniff.pcap.PcapReaderTest.bytes;
import static dev.wsdebug.sniff.pcap.PcapngFile.option;
import static dev.wsdebug.sniff.pcap.PcapngFile.tsresol;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A small capture with every kind of block, cut at every byte offset: the packets before the cut
 * come back, then the read ends cleanly when the cut falls exactly between two blocks (or
 * records), or with exactly one CaptureFormatException anywhere else (the file header included),
 * after which the reader returns null.
 */
class TruncationTest {

    static PcapngFile everyBlock() {
        PcapngFile f = new PcapngFile(ByteOrder.LITTLE_ENDIAN);
        f.iface(1, 0, tsresol(9), f.tsoffset(5))
                .epb(0, 1, bytes(61, 1), 61, option(1, "comment".getBytes(StandardCharsets.UTF_8)))
                .nrb(option(1, new byte[]{10, 0, 0, 1, 'a', 0}))
                .dsb(PcapngFile.TLS_KEY_LOG, "CLIENT_RANDOM 00 11\n".getBytes(StandardCharsets.US_ASCII))
                .isb(0)
                .custom(0x0BAD, new byte[0])
                .spb(33, bytes(33, 2))
                .pb(0, 7, bytes(40, 3), 40)
                .section(ByteOrder.BIG_ENDIAN, -1)
                .iface(113, 128)
                .epb(0, 9, bytes(70, 4))
                .block(0x7777, new byte[12])
                .epb(0, 10, bytes(3, 5));
        return f;
    }

    static PcapFile records() {
        return new PcapFile(ByteOrder.BIG_ENDIAN, PcapFile.NANOS, 65535, 1)
                .record(1, 2, bytes(60, 1)).record(3, 4, bytes(1, 2)).record(5, 6, new byte[0]).record(7, 8, bytes(99, 3));
    }

    @Test
    void pcapngCutAtEveryOffset() throws IOException {
        PcapngFile f = everyBlock();
        sweep(f.bytes(), f.boundaries(), f.packetEnds());
    }

    @Test
    void pcapCutAtEveryOffset() throws IOException {
        PcapFile f = records();
        sweep(f.bytes(), f.boundaries(), f.packetEnds());
    }

    /** A stream that hands out one byte per read, as a slow pipe might. */
    @Test
    void aTricklingStreamReadsTheSame() throws IOException {
        for (byte[] file : List.of(everyBlock().bytes(), records().bytes())) {
            List<Packet> whole = readAll(new ByteArrayInputStream(file), new int[1]);
            List<Packet> trickled = readAll(new FilterInputStream(new ByteArrayInputStream(file)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return super.read(b, off, Math.min(len, 1));
                }
            }, new int[1]);
            assertThat(render(trickled)).isEqualTo(render(whole)).isNotEmpty();
        }
    }

    private static void sweep(byte[] file, List<Integer> boundaries, List<Integer> packetEnds) throws IOException {
        int[] failures = new int[1];
        List<String> full = render(readAll(new ByteArrayInputStream(file), failures));
        assertThat(failures[0]).isZero();
        assertThat(full).hasSize(packetEnds.size());
        for (int cut = 0; cut <= file.length; cut++) {
            failures[0] = 0;
            List<String> got = render(readAll(new ByteArrayInputStream(Arrays.copyOf(file, cut)), failures));
            int at = cut;
            long complete = packetEnds.stream().filter(end -> end <= at).count();
            assertThat(failures[0]).as("exceptions when cut at %d", at).isEqualTo(boundaries.contains(cut) ? 0 : 1);
            assertThat(got).as("packets when cut at %d", at).isEqualTo(full.subList(0, (int) complete));
        }
    }

    /** Reads every packet, counting CaptureFormatExceptions (from opening or reading) in failures[0]. */
    static List<Packet> readAll(InputStream in, int[] failures) throws IOException {
        List<Packet> out = new ArrayList<>();
        PacketReader r;
        try {
            r = CaptureFiles.open(in);
        } catch (CaptureFormatException e) {
            failures[0]++;
            return out;
        }
        try (r) {
            while (true) {
                try {
                    Packet p = r.next();
                    if (p == null) {
                        break;
                    }
                    out.add(p);
                } catch (CaptureFormatException e) {
                    failures[0]++;
                    assertThat(e.getMessage()).endsWith(".").doesNotContain("\n");
                    assertThat(r.next()).isNull();
                    break;
                }
            }
        }
        return out;
    }

    static List<String> render(List<Packet> packets) {
        List<String> out = new ArrayList<>();
        for (Packet p : packets) {
            out.add(p.number() + " " + p.timeNanos() + " " + p.linkType() + " " + p.interfaceId() + " "
                    + p.originalLength() + " " + Arrays.toString(p.data()));
        }
        return out;
    }
}
