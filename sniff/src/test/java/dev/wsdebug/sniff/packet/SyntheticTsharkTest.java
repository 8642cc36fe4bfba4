package dev.wsdebug.sniff.packet;

import dev.wsdebug.sniff.pcap.PcapngFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.wsdebug.sniff.packet.Frames.TCP;
import static dev.wsdebug.sniff.packet.Frames.UDP;
import static dev.wsdebug.sniff.packet.Frames.authentication;
import static dev.wsdebug.sniff.packet.Frames.concat;
import static dev.wsdebug.sniff.packet.Frames.ethernet;
import static dev.wsdebug.sniff.packet.Frames.extension;
import static dev.wsdebug.sniff.packet.Frames.fragmentHeader;
import static dev.wsdebug.sniff.packet.Frames.ipv4;
import static dev.wsdebug.sniff.packet.Frames.ipv6;
import static dev.wsdebug.sniff.packet.Frames.loopback;
import static dev.wsdebug.sniff.packet.Frames.sll;
import static dev.wsdebug.sniff.packet.Frames.sll2;
import static dev.wsdebug.sniff.packet.Frames.tcp;
import static dev.wsdebug.sniff.packet.Frames.udp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Packets of every link type and IP feature the decoder handles, written into one pcapng file
 * (an interface per link type) and decoded here and by tshark, payload bytes included: tshark
 * checks both the decoder and the test's own packet builders.
 */
class SyntheticTsharkTest {
    private static final byte[] A = Frames.v4(10, 1, 0, 1);
    private static final byte[] B = Frames.v4(10, 1, 0, 2);
    private static final int ETHERNET = 0;
    private static final int SLL = 1;
    private static final int SLL2 = 2;
    private static final int NULL = 3;
    private static final int LOOP = 4;
    private static final int RAW = 5;
    private static final int BSD_RAW = 6;
    private static final int OPENBSD_RAW = 7;
    private static final int IPV4 = 8;
    private static final int IPV6 = 9;

    private final PcapngFile file = new PcapngFile(ByteOrder.LITTLE_ENDIAN);
    private long time = 1_700_000_000_000_000L;
    private int sequence = 1000;

    private void add(int iface, byte[] data) {
        file.epb(iface, time += 1000, data);
    }

    private byte[] segment(String text) {
        byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
        byte[] s = tcp(50000, 8080, sequence, 4242, 0x18, new byte[]{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}, payload);
        sequence += payload.length;
        return s;
    }

    private byte[] ip4(String text) {
        return ipv4(A, B, TCP, segment(text));
    }

    private byte[] ip6(String text) {
        return ipv6(Frames.v6(1), Frames.v6(2), TCP, segment(text));
    }

    @Test
    void everyLinkTypeAndIpFeatureAsTsharkSeesIt(@TempDir Path dir) throws Exception {
        for (int linkType : new int[]{1, 113, 276, 0, 108, 101, 12, 14, 228, 229}) {
            file.iface(linkType, 0, PcapngFile.tsresol(9));
        }
        add(ETHERNET, ethernet(0x0800, ip4("plain ipv4")));
        add(ETHERNET, ethernet(0x86DD, ip6("plain ipv6")));
        add(ETHERNET, ethernet(0x0800, ip4("one vlan tag"), 0x8100, 10));
        add(ETHERNET, ethernet(0x0800, ip4("802.1ad then 802.1Q"), 0x88A8, 20, 0x8100, 10));
        add(ETHERNET, ethernet(0x86DD, ip6("three tags"), 0x88A8, 30, 0x88A8, 20, 0x8100, 10));
        byte[] ppp = ip4("pppoe");
        add(ETHERNET, ethernet(0x8864, concat(new byte[]{0x11, 0, 0, 7, 0, (byte) (ppp.length + 2), 0, 0x21}, ppp)));
        add(ETHERNET, Arrays.copyOf(ethernet(0x0800, ipv4(A, B, TCP, tcp(50000, 8080, 1, 2, 0x10, new byte[0],
                new byte[0]))), 60)); // padded to the Ethernet minimum
        byte[] options = {(byte) 0x94, 4, 0, 0};
        add(ETHERNET, ethernet(0x0800, ipv4(A, B, TCP, 9, 0, options, -1, segment("ip options"))));
        add(ETHERNET, ethernet(0x0800, ipv4(A, B, TCP, 9, 0x4000, new byte[0], 0, segment("tso: ip length 0"))));
        add(ETHERNET, ethernet(0x0800, ipv4(A, B, UDP, udp(5353, 5353, new byte[10]))));
        add(ETHERNET, ethernet(0x0800, ipv4(A, B, 1, new byte[]{8, 0, 0, 0, 0, 1, 0, 1})));
        add(ETHERNET, ethernet(0x0806, new byte[28]));
        byte[] chain = concat(extension(43, 1), extension(60, 2), extension(51, 1), authentication(60, 3),
                extension(TCP, 1), segment("ipv6 extension headers"));
        add(ETHERNET, ethernet(0x86DD, ipv6(Frames.v6(1), Frames.v6(2), 0, chain)));

        // Snap length: 10 bytes of payload missing.
        byte[] cut = ethernet(0x0800, ip4("this one is cut by the snap length"));
        file.epb(ETHERNET, time += 1000, Arrays.copyOf(cut, cut.length - 10), cut.length);

        // IPv4 fragments: in order, reversed, and overlapping (the later copy agrees).
        byte[] big = segment("fragmented ".repeat(60));
        for (int variant = 0; variant < 3; variant++) {
            List<byte[]> fragments = new ArrayList<>();
            int id = 100 + variant;
            fragments.add(ipv4(A, B, TCP, id, 0x2000, new byte[0], -1, Arrays.copyOfRange(big, 0, 256)));
            if (variant == 2) {
                fragments.add(ipv4(A, B, TCP, id, 0x2000 | 128 / 8, new byte[0], -1, Arrays.copyOfRange(big, 128, 384)));
            }
            fragments.add(ipv4(A, B, TCP, id, 0x2000 | 256 / 8, new byte[0], -1, Arrays.copyOfRange(big, 256, 512)));
            fragments.add(ipv4(A, B, TCP, id, 512 / 8, new byte[0], -1, Arrays.copyOfRange(big, 512, big.length)));
            if (variant == 1) {
                java.util.Collections.reverse(fragments);
            }
            for (byte[] f : fragments) {
                add(ETHERNET, ethernet(0x0800, f));
            }
        }
        // IPv6 fragments.
        byte[] big6 = segment("ipv6 fragment ".repeat(50));
        add(ETHERNET, ethernet(0x86DD, ipv6(Frames.v6(1), Frames.v6(2), 44,
                concat(fragmentHeader(TCP, 0, true, 77), Arrays.copyOfRange(big6, 0, 400)))));
        add(ETHERNET, ethernet(0x86DD, ipv6(Frames.v6(1), Frames.v6(2), 44,
                concat(fragmentHeader(TCP, 400, false, 77), Arrays.copyOfRange(big6, 400, big6.length)))));

        add(SLL, sll(0x0800, ip4("linux cooked")));
        add(SLL, sll(0x86DD, ip6("linux cooked v6")));
        add(SLL2, sll2(0x0800, ip4("linux cooked v2")));
        add(SLL2, sll2(0x86DD, ip6("linux cooked v2 v6")));
        add(NULL, loopback(2, ByteOrder.LITTLE_ENDIAN, ip4("null, little-endian")));
        add(NULL, loopback(2, ByteOrder.BIG_ENDIAN, ip4("null, big-endian")));
        add(NULL, loopback(24, ByteOrder.LITTLE_ENDIAN, ip6("null, netbsd inet6")));
        add(NULL, loopback(28, ByteOrder.LITTLE_ENDIAN, ip6("null, freebsd inet6")));
        add(NULL, loopback(30, ByteOrder.BIG_ENDIAN, ip6("null, darwin inet6 big-endian")));
        add(LOOP, loopback(2, ByteOrder.BIG_ENDIAN, ip4("loop")));
        add(LOOP, loopback(30, ByteOrder.BIG_ENDIAN, ip6("loop v6")));
        add(RAW, ip4("raw"));
        add(RAW, ip6("raw v6"));
        add(BSD_RAW, ip4("dlt_raw 12"));
        add(OPENBSD_RAW, ip6("dlt_raw 14"));
        add(IPV4, ip4("linktype ipv4"));
        add(IPV6, ip6("linktype ipv6"));

        Path capture = dir.resolve("synthetic.pcapng");
        Files.write(capture, file.bytes());
        PacketDecoder decoder = TsharkComparison.assertSameAsTshark(capture, true);
        assertThat(decoder.tcpPackets()).isEqualTo(40); // 12 fragments among them
        assertThat(decoder.udpPackets()).isEqualTo(1);
        assertThat(decoder.otherPackets()).isEqualTo(2);
    }
}
