package dev.wsdebug.sniff.packet;

import dev.wsdebug.sniff.pcap.CaptureFiles;
import dev.wsdebug.sniff.pcap.Packet;
import dev.wsdebug.sniff.pcap.PacketReader;
import dev.wsdebug.sniff.pcap.RealCaps;
import dev.wsdebug.sniff.pcap.Tshark;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every capture of the real corpus (ws, tls, h2), read and decoded here, against tshark: the
 * same number of packets with the same times and lengths, and for each packet where tshark finds
 * TCP directly under the packet's one IP header (not inside ICMP errors or tunnels, which are
 * not connections), the same frame number, addresses, ports, raw sequence and acknowledgement
 * numbers, flags and payload length; and no TCP segment anywhere else. (A TCP header whose
 * length field is under 20 or more than the IP payload is malformed, not a segment: tshark shows
 * its ports but no flags or no payload length.)
 */
class RealCaptureTest {
    private static final List<String> OPTIONS = List.of("-o", "tcp.relative_sequence_numbers:FALSE");
    private static final String[] FIELDS = {"frame.number", "frame.time_epoch", "frame.len", "frame.cap_len",
            "frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "tcp.seq_raw",
            "tcp.ack_raw", "tcp.flags", "tcp.len"};

    @TestFactory
    Stream<DynamicTest> everyCorpusCaptureAgreesWithTshark() throws IOException {
        return RealCaps.captures("ws", "tls", "h2").stream()
                .map(f -> DynamicTest.dynamicTest(f.getParent().getFileName() + "/" + f.getFileName(), () -> check(f)));
    }

    private static void check(Path file) throws Exception {
        List<String> packets = new ArrayList<>();
        List<String> segments = new ArrayList<>();
        PacketDecoder decoder = new PacketDecoder();
        try (InputStream in = Files.newInputStream(file); PacketReader reader = CaptureFiles.open(in)) {
            for (Packet p = reader.next(); p != null; p = reader.next()) {
                packets.add(p.number() + " t=" + p.timeNanos() + " len=" + p.originalLength() + " cap=" + p.data().length);
                TcpSegment s = decoder.decode(p);
                if (s != null) {
                    segments.add(render(s));
                }
            }
        }
        List<String> expectedPackets = new ArrayList<>();
        List<String> expectedSegments = new ArrayList<>();
        for (String[] row : Tshark.fields(file, OPTIONS, FIELDS)) {
            long nanos = epochNanos(row[1]);
            expectedPackets.add(row[0] + " t=" + nanos + " len=" + row[2] + " cap=" + row[3]);
            List<String> layers = Arrays.asList(row[4].split(":"));
            long ipLayers = layers.stream().filter(l -> l.equals("ip") || l.equals("ipv6")).count();
            // tshark shows the ports of a TCP header whose length field is under 20 but not its
            // flags, and no payload length when that field is more than the segment: malformed,
            // not segments.
            boolean tcpOfThisPacket = !row[13].isEmpty() && !row[14].isEmpty() && ipLayers == 1 && !layers.contains("icmp")
                    && !layers.contains("icmpv6");
            if (tcpOfThisPacket) {
                boolean v4 = !row[5].isEmpty();
                expectedSegments.add(row[0] + " " + endpoint(v4 ? row[5] : row[7], row[9]) + " > "
                        + endpoint(v4 ? row[6] : row[8], row[10]) + " seq=" + row[11] + " ack=" + row[12] + " flags="
                        + (Integer.decode(row[13]) & 0xFF) + " len=" + row[14]);
            }
        }
        assertThat(packets).as("packets").containsExactlyElementsOf(expectedPackets);
        assertThat(segments).as("TCP segments").containsExactlyElementsOf(expectedSegments);
        assertThat(decoder.tcpPackets() + decoder.udpPackets() + decoder.otherPackets()).isEqualTo(packets.size());
    }

    /**
     * tshark's {@code seconds.nanoseconds}, where the nanoseconds can be 10 digits: a fuzzed file
     * has microsecond fields of a million or more, which tshark prints unnormalized.
     */
    private static long epochNanos(String epoch) {
        int dot = epoch.indexOf('.');
        return Long.parseLong(epoch.substring(0, dot)) * 1_000_000_000L + Long.parseLong(epoch.substring(dot + 1));
    }

    private static String render(TcpSegment s) {
        return s.packet() + " " + s.src() + " > " + s.dst() + " seq=" + s.seq() + " ack=" + s.ack() + " flags=" + s.flags()
                + " len=" + s.payloadLength();
    }

    private static String endpoint(String address, String port) throws IOException {
        return new Endpoint(InetAddress.getByName(address), Integer.parseInt(port)).toString();
    }
}
