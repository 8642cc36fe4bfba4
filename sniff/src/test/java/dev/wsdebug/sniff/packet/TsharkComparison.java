package dev.wsdebug.sniff.packet;

import dev.wsdebug.sniff.pcap.CaptureFiles;
import dev.wsdebug.sniff.pcap.Packet;
import dev.wsdebug.sniff.pcap.PacketReader;
import dev.wsdebug.sniff.pcap.Tshark;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A capture read and decoded here, against tshark: the same number of packets with the same
 * times and lengths, and for each packet where tshark finds TCP directly under the packet's one
 * IP header (not inside ICMP errors or tunnels, which are not connections), the same frame
 * number, addresses, ports, raw sequence and acknowledgement numbers, flags and payload length
 * (and, when asked, payload bytes); and no TCP segment anywhere else. A TCP header whose length
 * field is under 20 or more than the IP payload is malformed, not a segment: tshark shows its
 * ports but no flags or no payload length.
 */
final class TsharkComparison {
    private static final List<String> OPTIONS = List.of("-o", "tcp.relative_sequence_numbers:FALSE");
    private static final String[] FIELDS = {"frame.number", "frame.time_epoch", "frame.len", "frame.cap_len",
            "frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "tcp.seq_raw",
            "tcp.ack_raw", "tcp.flags", "tcp.len"};

    private TsharkComparison() {
    }

    /** Compares everything but payload bytes; returns the decoder, for its counts. */
    static PacketDecoder assertSameAsTshark(Path file) throws Exception {
        return assertSameAsTshark(file, false);
    }

    static PacketDecoder assertSameAsTshark(Path file, boolean payloads) throws Exception {
        List<String> packets = new ArrayList<>();
        List<String> segments = new ArrayList<>();
        PacketDecoder decoder = new PacketDecoder();
        try (InputStream in = Files.newInputStream(file); PacketReader reader = CaptureFiles.open(in)) {
            for (Packet p = reader.next(); p != null; p = reader.next()) {
                packets.add(p.number() + " t=" + p.timeNanos() + " len=" + p.originalLength() + " cap=" + p.data().length);
                TcpSegment s = decoder.decode(p);
                if (s != null) {
                    segments.add(render(s) + (payloads ? " " + HexFormat.of().formatHex(s.payload()) : ""));
                }
            }
        }
        List<String> expectedPackets = new ArrayList<>();
        List<String> expectedSegments = new ArrayList<>();
        for (String[] row : Tshark.fields(file, OPTIONS, fields(payloads))) {
            long nanos = epochNanos(row[1]);
            expectedPackets.add(row[0] + " t=" + nanos + " len=" + row[2] + " cap=" + row[3]);
            List<String> layers = Arrays.asList(row[4].split(":"));
            long ipLayers = layers.stream().filter(l -> l.equals("ip") || l.equals("ipv6")).count();
            boolean tcpOfThisPacket = !row[13].isEmpty() && !row[14].isEmpty() && ipLayers == 1 && !layers.contains("icmp")
                    && !layers.contains("icmpv6");
            if (tcpOfThisPacket) {
                boolean v4 = !row[5].isEmpty();
                expectedSegments.add(row[0] + " " + endpoint(v4 ? row[5] : row[7], row[9]) + " > "
                        + endpoint(v4 ? row[6] : row[8], row[10]) + " seq=" + row[11] + " ack=" + row[12] + " flags="
                        + (Integer.decode(row[13]) & 0xFF) + " len=" + row[14] + (payloads ? " " + row[15] : ""));
            }
        }
        assertThat(packets).as("packets").containsExactlyElementsOf(expectedPackets);
        assertThat(segments).as("TCP segments").containsExactlyElementsOf(expectedSegments);
        assertThat(decoder.tcpPackets() + decoder.udpPackets() + decoder.otherPackets()).isEqualTo(packets.size());
        return decoder;
    }

    /**
     * tshark's {@code seconds.nanoseconds}, where the nanoseconds can be 10 digits: a fuzzed file
     * has microsecond fields of a million or more, which tshark prints unnormalized.
     */
    private static long epochNanos(String epoch) {
        int dot = epoch.indexOf('.');
        return Long.parseLong(epoch.substring(0, dot)) * 1_000_000_000L + Long.parseLong(epoch.substring(dot + 1));
    }

    private static String[] fields(boolean payloads) {
        if (!payloads) {
            return FIELDS;
        }
        String[] f = Arrays.copyOf(FIELDS, FIELDS.length + 1);
        f[FIELDS.length] = "tcp.payload";
        return f;
    }

    private static String render(TcpSegment s) {
        return s.packet() + " " + s.src() + " > " + s.dst() + " seq=" + s.seq() + " ack=" + s.ack() + " flags=" + s.flags()
                + " len=" + s.payloadLength();
    }

    private static String endpoint(String address, String port) throws IOException {
        return new Endpoint(InetAddress.getByName(address), Integer.parseInt(port)).toString();
    }
}
