package dev.wsdebug.sniff.packet;

import dev.wsdebug.sniff.pcap.CaptureFormatException;
import dev.wsdebug.sniff.pcap.Packet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static dev.wsdebug.sniff.packet.Frames.TCP;
import static dev.wsdebug.sniff.packet.Frames.UDP;
import static dev.wsdebug.sniff.packet.Frames.concat;
import static dev.wsdebug.sniff.packet.Frames.extension;
import static dev.wsdebug.sniff.packet.Frames.fragmentHeader;
import static dev.wsdebug.sniff.packet.Frames.ipv4;
import static dev.wsdebug.sniff.packet.Frames.ipv6;
import static dev.wsdebug.sniff.packet.Frames.tcp;
import static dev.wsdebug.sniff.packet.Frames.udp;
import static dev.wsdebug.sniff.packet.Frames.v4;
import static dev.wsdebug.sniff.packet.Frames.v6;
import static org.assertj.core.api.Assertions.assertThat;

/** IPv4 and IPv6 fragments joined into the TCP segment they carry. */
class FragmentTest {
    private static final byte[] SRC = v4(192, 168, 1, 1);
    private static final byte[] DST = v4(192, 168, 1, 2);
    private static final byte[] DATA = new byte[1000];
    private static final byte[] SEGMENT;

    static {
        for (int i = 0; i < DATA.length; i++) {
            DATA[i] = (byte) (i * 7);
        }
        SEGMENT = tcp(5000, 443, 123_456, 0x18, DATA);
    }

    private final PacketDecoder decoder = new PacketDecoder();
    private long number;

    /** One IPv4 fragment of SEGMENT: bytes [from, to) at offset from (a multiple of 8). */
    private static byte[] v4Fragment(int id, int from, int to, boolean more) {
        return ipv4(SRC, DST, TCP, id, (more ? 0x2000 : 0) | from / 8, new byte[0], -1,
                Arrays.copyOfRange(SEGMENT, from, to));
    }

    private TcpSegment feed(byte[] ip, long timeNanos) throws CaptureFormatException {
        return decoder.decode(new Packet(++number, timeNanos, 101, ip, ip.length, 0));
    }

    /** Feeds the fragments in order; returns what each gave. */
    private List<TcpSegment> feed(List<byte[]> fragments) throws CaptureFormatException {
        List<TcpSegment> out = new ArrayList<>();
        for (byte[] f : fragments) {
            out.add(feed(f, number * 1000));
        }
        return out;
    }

    private static void assertWhole(TcpSegment s) {
        assertThat(s).isNotNull();
        assertThat(s.src()).hasToString("192.168.1.1:5000");
        assertThat(s.dst()).hasToString("192.168.1.2:443");
        assertThat(s.seq()).isEqualTo(123_456);
        assertThat(s.payload()).isEqualTo(DATA);
        assertThat(s.payloadLength()).isEqualTo(DATA.length);
    }

    private static List<byte[]> threeFragments(int id) {
        return new ArrayList<>(List.of(v4Fragment(id, 0, 400, true), v4Fragment(id, 400, 800, true),
                v4Fragment(id, 800, SEGMENT.length, false)));
    }

    @Test
    void inOrder() throws Exception {
        List<TcpSegment> out = feed(threeFragments(1));
        assertThat(out.subList(0, 2)).containsOnlyNulls();
        assertWhole(out.get(2));
        assertThat(out.get(2).packet()).isEqualTo(3);
        assertThat(decoder.tcpPackets()).isEqualTo(3);
    }

    @Test
    void reversed() throws Exception {
        List<byte[]> fragments = threeFragments(2);
        Collections.reverse(fragments);
        List<TcpSegment> out = feed(fragments);
        assertThat(out.subList(0, 2)).containsOnlyNulls();
        assertWhole(out.get(2));
        assertThat(out.get(2).timeNanos()).isEqualTo(2000); // the packet that completed it
    }

    @Test
    void overlapsKeepTheFirstCopy() throws Exception {
        // A forged fragment over 200-600 comes second: 200-400 were already there and stay;
        // 400-600 were not, so its copy is the first and the genuine one that follows loses.
        byte[] forged = v4Fragment(3, 200, 600, true);
        Arrays.fill(forged, 20, forged.length, (byte) 0xEE);
        List<TcpSegment> out = feed(List.of(v4Fragment(3, 0, 400, true), forged, v4Fragment(3, 400, 800, true),
                v4Fragment(3, 800, SEGMENT.length, false)));
        assertThat(out.subList(0, 3)).containsOnlyNulls();
        byte[] expected = DATA.clone();
        Arrays.fill(expected, 400 - 20, 600 - 20, (byte) 0xEE); // the payload starts after the 20-byte TCP header
        assertThat(out.get(3).payload()).isEqualTo(expected);
    }

    @Test
    void aLaterOverlapNeverRewritesEarlierBytes() throws Exception {
        byte[] forged = v4Fragment(4, 200, 600, true);
        Arrays.fill(forged, 20, forged.length, (byte) 0xEE);
        List<TcpSegment> out = feed(List.of(v4Fragment(4, 0, 400, true), v4Fragment(4, 400, 800, true), forged,
                v4Fragment(4, 800, SEGMENT.length, false)));
        assertWhole(out.get(3));

        byte[] early = v4Fragment(5, 200, 600, true);
        Arrays.fill(early, 20, early.length, (byte) 0xEE);
        TcpSegment s = feed(List.of(early, v4Fragment(5, 0, 400, true), v4Fragment(5, 400, 800, true),
                v4Fragment(5, 800, SEGMENT.length, false))).get(3);
        byte[] expected = DATA.clone();
        Arrays.fill(expected, 200 - 20, 600 - 20, (byte) 0xEE); // payload starts after the 20-byte TCP header
        assertThat(s.payload()).isEqualTo(expected);
    }

    @Test
    void interleavedDatagramsAreKeptApart() throws Exception {
        List<byte[]> a = threeFragments(10);
        List<byte[]> b = threeFragments(11);
        List<TcpSegment> out = feed(List.of(a.get(0), b.get(2), a.get(1), b.get(0), a.get(2), b.get(1)));
        assertWhole(out.get(4));
        assertWhole(out.get(5));
        assertThat(out.subList(0, 4)).containsOnlyNulls();
    }

    @Test
    void incompleteDatagramsTimeOutByCaptureTime() throws Exception {
        List<byte[]> f = threeFragments(20);
        assertThat(feed(f.get(0), 0)).isNull();
        assertThat(feed(f.get(1), 1_000_000_000L)).isNull();
        // 31 s after the first fragment: given up, so the last fragment alone completes nothing.
        assertThat(feed(f.get(2), 31_000_000_000L)).isNull();
        assertThat(decoder.incompleteDatagramsDropped()).isEqualTo(1);
    }

    @Test
    void atMostSoManyIncompleteDatagrams() throws Exception {
        PacketDecoder small = new PacketDecoder(2, Long.MAX_VALUE);
        List<byte[]> a = threeFragments(30);
        List<byte[]> b = threeFragments(31);
        List<byte[]> c = threeFragments(32);
        small.decode(new Packet(1, 0, 101, a.get(0), a.get(0).length, 0));
        small.decode(new Packet(2, 0, 101, b.get(0), b.get(0).length, 0));
        small.decode(new Packet(3, 0, 101, c.get(0), c.get(0).length, 0)); // pushes out a
        assertThat(small.incompleteDatagramsDropped()).isEqualTo(1);
        assertThat(small.decode(new Packet(4, 0, 101, a.get(1), a.get(1).length, 0))).isNull();
        assertThat(small.decode(new Packet(5, 0, 101, a.get(2), a.get(2).length, 0))).isNull();
        small.decode(new Packet(6, 0, 101, c.get(1), c.get(1).length, 0));
        assertWhole(small.decode(new Packet(7, 0, 101, c.get(2), c.get(2).length, 0)));
    }

    @Test
    void fragmentsOfOtherProtocolsAreCountedButNotKeptForever() throws Exception {
        byte[] datagram = udp(53, 53, DATA);
        byte[] first = ipv4(SRC, DST, UDP, 40, 0x2000, new byte[0], -1, Arrays.copyOfRange(datagram, 0, 512));
        byte[] last = ipv4(SRC, DST, UDP, 40, 512 / 8, new byte[0], -1, Arrays.copyOfRange(datagram, 512, datagram.length));
        assertThat(feed(first, 0)).isNull();
        assertThat(feed(last, 0)).isNull();
        assertThat(decoder.udpPackets()).isEqualTo(2);
        assertThat(decoder.tcpPackets()).isZero();
    }

    @Test
    void aFragmentCutBySnapLengthCannotBeJoined() throws Exception {
        byte[] f = v4Fragment(50, 0, 400, true);
        assertThat(decoder.decode(new Packet(1, 0, 101, Arrays.copyOf(f, 100), f.length, 0))).isNull();
        assertThat(decoder.otherPackets()).isEqualTo(1);
    }

    @Test
    void ipv6FragmentsAreJoinedToo() throws Exception {
        // The fragmentable part: a destination options header, then the TCP segment.
        byte[] fragmentable = concat(extension(TCP, 1), SEGMENT);
        int cut = 512;
        byte[] first = ipv6(v6(1), v6(2), 0, concat(extension(44, 1), fragmentHeader(60, 0, true, 0xABCDEF),
                Arrays.copyOfRange(fragmentable, 0, cut)));
        byte[] second = ipv6(v6(1), v6(2), 44, concat(fragmentHeader(60, cut, false, 0xABCDEF),
                Arrays.copyOfRange(fragmentable, cut, fragmentable.length)));
        byte[] otherId = ipv6(v6(1), v6(2), 44, concat(fragmentHeader(60, cut, false, 0x123),
                Arrays.copyOfRange(fragmentable, cut, fragmentable.length)));
        assertThat(feed(second, 0)).isNull();
        assertThat(feed(otherId, 0)).isNull();
        TcpSegment s = feed(first, 0);
        assertThat(s).isNotNull();
        assertThat(s.src()).hasToString("[2001:db8::1]:5000");
        assertThat(s.payload()).isEqualTo(DATA);
        assertThat(decoder.otherPackets()).isEqualTo(2); // their next header (60) is not TCP itself
        assertThat(decoder.tcpPackets()).isEqualTo(1);
    }
}
