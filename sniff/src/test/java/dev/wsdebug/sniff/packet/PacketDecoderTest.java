package dev.wsdebug.sniff.packet;

import dev.wsdebug.sniff.pcap.CaptureFormatException;
import dev.wsdebug.sniff.pcap.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet6Address;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
import static dev.wsdebug.sniff.packet.Frames.v4;
import static dev.wsdebug.sniff.packet.Frames.v6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PacketDecoderTest {
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLIENT = v4(10, 0, 0, 1);
    private static final byte[] SERVER = v4(10, 0, 0, 2);
    private static final byte[] SEGMENT = tcp(40000, 80, 0xFFFF_FFF0L, 0x8000_0001L, 0x18, new byte[0], HELLO);
    private static final byte[] IPV4 = ipv4(CLIENT, SERVER, TCP, SEGMENT);
    private static final byte[] IPV6 = ipv6(v6(1), v6(2), TCP, SEGMENT);

    private final PacketDecoder decoder = new PacketDecoder();

    static Packet packet(int linkType, byte[] data) {
        return new Packet(7, 1_000_000_123L, linkType, data, data.length, 0);
    }

    private TcpSegment decode(int linkType, byte[] data) throws CaptureFormatException {
        return decoder.decode(packet(linkType, data));
    }

    private static void assertHello(TcpSegment s, String src, String dst) {
        assertThat(s).isNotNull();
        assertThat(s.src()).hasToString(src);
        assertThat(s.dst()).hasToString(dst);
        assertThat(s.payload()).isEqualTo(HELLO);
        assertThat(s.payloadLength()).isEqualTo(5);
        assertThat(s.seq()).isEqualTo(0xFFFF_FFF0L);
        assertThat(s.ack()).isEqualTo(0x8000_0001L);
        assertThat(s.flags()).isEqualTo(0x18);
        assertThat(s.has(TcpSegment.PSH)).isTrue();
        assertThat(s.has(TcpSegment.SYN)).isFalse();
        assertThat(s.packet()).isEqualTo(7);
        assertThat(s.timeNanos()).isEqualTo(1_000_000_123L);
    }

    private static void assertHello4(TcpSegment s) {
        assertHello(s, "10.0.0.1:40000", "10.0.0.2:80");
    }

    private static void assertHello6(TcpSegment s) {
        assertHello(s, "[2001:db8::1]:40000", "[2001:db8::2]:80");
    }

    @Test
    void ethernetIpv4AndIpv6() throws Exception {
        assertHello4(decode(1, ethernet(0x0800, IPV4)));
        assertHello6(decode(1, ethernet(0x86DD, IPV6)));
        assertThat(decoder.tcpPackets()).isEqualTo(2);
    }

    @Test
    void vlanTagsOfAnyDepth() throws Exception {
        assertHello4(decode(1, ethernet(0x0800, IPV4, 0x8100, 42)));
        assertHello4(decode(1, ethernet(0x0800, IPV4, 0x88A8, 100, 0x8100, 42)));
        assertHello6(decode(1, ethernet(0x86DD, IPV6, 0x9100, 1, 0x88A8, 100, 0x8100, 42)));
        assertThat(decode(1, Arrays.copyOf(ethernet(0x0800, IPV4, 0x8100, 42), 16))).isNull();
        assertThat(decoder.otherPackets()).isEqualTo(1);
    }

    @Test
    void pppoeSession() throws Exception {
        byte[] pppoe = concat(new byte[]{0x11, 0, 0, 1, 0, (byte) (IPV4.length + 2), 0, 0x21}, IPV4);
        assertHello4(decode(1, ethernet(0x8864, pppoe)));
    }

    @Test
    void linuxCookedV1AndV2() throws Exception {
        assertHello4(decode(113, sll(0x0800, IPV4)));
        assertHello6(decode(113, sll(0x86DD, IPV6)));
        assertHello4(decode(276, sll2(0x0800, IPV4)));
        assertHello6(decode(276, sll2(0x86DD, IPV6)));
        assertThat(decode(113, sll(0x0806, new byte[28]))).isNull(); // ARP
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 108})
    void bsdLoopbackInEitherByteOrder(int linkType) throws Exception {
        for (ByteOrder order : new ByteOrder[]{ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            assertHello4(decode(linkType, loopback(2, order, IPV4)));
            for (int af6 : new int[]{24, 28, 30}) {
                assertHello6(decode(linkType, loopback(af6, order, IPV6)));
            }
            assertThat(decode(linkType, loopback(7, order, IPV4))).isNull();
        }
        assertThat(decoder.tcpPackets()).isEqualTo(8);
        assertThat(decoder.otherPackets()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {101, 12, 14})
    void rawIp(int linkType) throws Exception {
        assertHello4(decode(linkType, IPV4));
        assertHello6(decode(linkType, IPV6));
        assertThat(decode(linkType, new byte[0])).isNull();
    }

    @Test
    void linkType12WithALoopbackHeaderIsOpenBsdLoop() throws Exception {
        assertHello4(decode(12, loopback(2, ByteOrder.BIG_ENDIAN, IPV4)));
    }

    @Test
    void ipv4AndIpv6LinkTypes() throws Exception {
        assertHello4(decode(228, IPV4));
        assertHello6(decode(229, IPV6));
        assertThat(decode(228, IPV6)).isNull();
        assertThat(decode(229, IPV4)).isNull();
    }

    @Test
    void ipv4OptionsAreSkipped() throws Exception {
        byte[] options = {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0}; // router alert, NOP, NOP, NOP, EOL
        assertHello4(decode(101, ipv4(CLIENT, SERVER, TCP, 1, 0, options, -1, SEGMENT)));
    }

    @Test
    void tcpOptionsAreSkipped() throws Exception {
        byte[] options = {2, 4, 0x05, (byte) 0xB4, 1, 3, 3, 7, 4, 2, 1, 1}; // MSS, NOP, WS, SACK-permitted
        byte[] segment = tcp(40000, 80, 0xFFFF_FFF0L, 0x8000_0001L, 0x18, options, HELLO);
        TcpSegment s = decode(101, ipv4(CLIENT, SERVER, TCP, segment));
        assertHello4(s);
        assertThat(s.windowScale()).isEqualTo(7);
        assertThat(s.window()).isEqualTo(65535);
    }

    @Test
    void windowFieldAndWindowScaleOption() throws Exception {
        byte[] plain = tcp(1, 2, 3, 4, 0x10, new byte[0], HELLO);
        plain[14] = 0x01; // window 0x0102
        plain[15] = 0x02;
        TcpSegment s = decode(101, ipv4(CLIENT, SERVER, TCP, plain));
        assertThat(s.window()).isEqualTo(0x0102);
        assertThat(s.windowScale()).isEqualTo(-1);

        byte[] zero = tcp(1, 2, 3, 4, 0x10, new byte[0], HELLO);
        zero[14] = 0;
        zero[15] = 0;
        assertThat(decode(101, ipv4(CLIENT, SERVER, TCP, zero)).window()).isZero();

        // RFC 7323 2.3: a shift over 14 counts as 14
        assertThat(scaleOf(new byte[] {3, 3, 20, 0})).isEqualTo(14);
        // after the end of the option list, or past a malformed option, nothing is read
        assertThat(scaleOf(new byte[] {0, 3, 3, 7})).isEqualTo(-1);
        assertThat(scaleOf(new byte[] {8, 1, 3, 3, 7, 0, 0, 0})).isEqualTo(-1);
        assertThat(scaleOf(new byte[] {8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 5, 0, 0, 0})).isEqualTo(5);
        // an option whose length runs past the header
        assertThat(scaleOf(new byte[] {1, 1, 1, 3})).isEqualTo(-1);
    }

    private int scaleOf(byte[] options) throws Exception {
        return decode(101, ipv4(CLIENT, SERVER, TCP, tcp(1, 2, 3, 4, 0x02, options, new byte[0]))).windowScale();
    }

    @Test
    void ethernetPaddingIsNotPayload() throws Exception {
        byte[] ack = tcp(40000, 80, 5, 0x10, new byte[0]);
        byte[] frame = Arrays.copyOf(ethernet(0x0800, ipv4(CLIENT, SERVER, TCP, ack)), 60);
        frame[59] = 0x55;
        TcpSegment s = decode(1, frame);
        assertThat(s.payload()).isEmpty();
        assertThat(s.payloadLength()).isZero();
    }

    @Test
    void snapLengthCutGivesTheStatedLengthAndTheBytesThere() throws Exception {
        byte[] full = ethernet(0x0800, IPV4);
        byte[] cut = Arrays.copyOf(full, full.length - 2);
        TcpSegment s = decoder.decode(new Packet(1, 0, 1, cut, full.length, 0));
        assertThat(s.payload()).isEqualTo("hel".getBytes(StandardCharsets.US_ASCII));
        assertThat(s.payloadLength()).isEqualTo(5);

        // Cut inside the TCP options: the header fields are there, the payload is not.
        byte[] options = {1, 1, 1, 1, 1, 1, 1, 1};
        byte[] withOptions = ethernet(0x0800, ipv4(CLIENT, SERVER, TCP, tcp(1, 2, 3, 4, 0x18, options, HELLO)));
        TcpSegment t = decode(1, Arrays.copyOf(withOptions, 14 + 20 + 24));
        assertThat(t.seq()).isEqualTo(3);
        assertThat(t.payload()).isEmpty();
        assertThat(t.payloadLength()).isEqualTo(5);

        // Cut inside the fixed TCP header: nothing to report.
        assertThat(decode(1, Arrays.copyOf(full, 14 + 20 + 12))).isNull();
        assertThat(decoder.otherPackets()).isEqualTo(1);
    }

    @Test
    void ipLengthZeroMeansTheCapturedLength() throws Exception {
        // TSO: the stack hands down a segment larger than the MTU with lengths still 0.
        byte[] big = new byte[3000];
        Arrays.fill(big, (byte) 'x');
        byte[] v4 = ipv4(CLIENT, SERVER, TCP, 1, 0x4000, new byte[0], 0, tcp(1, 2, 3, 0x10, big));
        TcpSegment s = decode(1, ethernet(0x0800, v4));
        assertThat(s.payloadLength()).isEqualTo(3000);
        assertThat(s.payload()).isEqualTo(big);
        TcpSegment s6 = decode(229, ipv6(v6(1), v6(2), TCP, 0, tcp(1, 2, 3, 0x10, big)));
        assertThat(s6.payloadLength()).isEqualTo(3000);
    }

    @Test
    void ipv6ExtensionHeadersAreSkipped() throws Exception {
        // hop-by-hop, routing, destination options, AH, an atomic fragment, destination options
        byte[] chain = concat(extension(43, 1), extension(60, 2), extension(51, 1), authentication(44, 3),
                fragmentHeader(60, 0, false, 99), extension(TCP, 1), SEGMENT);
        assertHello6(decode(229, ipv6(v6(1), v6(2), 0, chain)));
    }

    @Test
    void ipv6HeadersThatRunPastTheCaptureAreOther() throws Exception {
        byte[] chain = concat(extension(TCP, 4));
        assertThat(decode(229, ipv6(v6(1), v6(2), 0, 200, Arrays.copyOf(chain, 16)))).isNull();
        assertThat(decode(229, ipv6(v6(1), v6(2), 50, SEGMENT))).isNull(); // ESP: encrypted
        assertThat(decode(229, ipv6(v6(1), v6(2), 59, new byte[0]))).isNull(); // no next header
        assertThat(decoder.otherPackets()).isEqualTo(3);
    }

    @Test
    void ipv4MappedAddressesStayIpv6() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        mapped[12] = 10;
        mapped[15] = 1;
        TcpSegment s = decode(229, ipv6(mapped, v6(2), TCP, SEGMENT));
        assertThat(s.src().address()).isInstanceOf(Inet6Address.class);
    }

    @Test
    void endpointsAreSharedBetweenPacketsOfAConnection() throws Exception {
        TcpSegment a = decode(101, IPV4);
        TcpSegment b = decode(101, IPV4);
        assertThat(b.src()).isSameAs(a.src());
        assertThat(b.dst()).isSameAs(a.dst());
        TcpSegment c = decode(229, IPV6);
        assertThat(decode(229, IPV6).src()).isSameAs(c.src());
    }

    @Test
    void countsEveryPacketOnce() throws Exception {
        decode(1, ethernet(0x0800, IPV4));
        decode(1, ethernet(0x0800, ipv4(CLIENT, SERVER, UDP, udp(53, 53, HELLO))));
        decode(1, ethernet(0x86DD, ipv6(v6(1), v6(2), UDP, udp(53, 53, HELLO))));
        decode(1, ethernet(0x0800, ipv4(CLIENT, SERVER, 1, new byte[8]))); // ICMP
        decode(1, ethernet(0x0806, new byte[28])); // ARP
        decode(1, new byte[5]); // runt
        decode(1, ethernet(0x0800, new byte[20])); // version 0
        assertThat(decoder.tcpPackets()).isEqualTo(1);
        assertThat(decoder.udpPackets()).isEqualTo(2);
        assertThat(decoder.otherPackets()).isEqualTo(4);
    }

    @Test
    void malformedTcpHeadersAreOther() throws Exception {
        byte[] shortOffset = SEGMENT.clone();
        shortOffset[12] = 0x20; // 8 bytes
        assertThat(decode(101, ipv4(CLIENT, SERVER, TCP, shortOffset))).isNull();
        byte[] longOffset = tcp(1, 2, 3, 0x10, new byte[0]);
        longOffset[12] = (byte) 0xF0; // 60 bytes, in a 20-byte segment
        assertThat(decode(101, ipv4(CLIENT, SERVER, TCP, longOffset))).isNull();
        byte[] badIhl = IPV4.clone();
        badIhl[0] = 0x44;
        assertThat(decode(101, badIhl)).isNull();
        assertThat(decoder.otherPackets()).isEqualTo(3);
    }

    @Test
    void unsupportedLinkTypeIsOneSentenceOnItsFirstPacket() throws Exception {
        assertThatThrownBy(() -> decoder.decode(new Packet(3, 0, 105, new byte[40], 40, 0)))
                .isInstanceOf(CaptureFormatException.class)
                .hasMessage("packet 3 has link type LINKTYPE_IEEE802_11 (105), which wsdebug cannot decode (it reads "
                        + "Ethernet, Linux cooked, BSD loopback and raw IP captures).");
        assertThat(decode(105, new byte[40])).isNull();
        assertThatThrownBy(() -> decode(4321, new byte[4])).hasMessageContaining("has link type 4321,");
        assertThat(decoder.otherPackets()).isEqualTo(3);
    }

    @Test
    void linkTypeNames() {
        assertThat(LinkTypes.describe(127)).isEqualTo("LINKTYPE_IEEE802_11_RADIOTAP (127)");
        assertThat(LinkTypes.describe(150)).isEqualTo("LINKTYPE_USER3 (150)");
        assertThat(LinkTypes.describe(9999)).isEqualTo("9999");
    }
}
