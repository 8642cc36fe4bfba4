package dev.wsdebug.sniff.synth;

import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.sniff.synth.Capture.Link;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standard session (see {@link Sessions#standard}) through every link layer, IP version and
 * file format the decoder reads, and across sequence-number wrap-around: the events are the same,
 * each frame naming the packets that carried it.
 */
class EncapsulationTest {

    private static List<String> decode(Capture capture) throws Exception {
        return Decoding.of(capture.bytes()).lines();
    }

    @ParameterizedTest
    @EnumSource(Link.class)
    void everyLinkLayerInPcap(Link link) throws Exception {
        TcpTrace t = Sessions.standard();
        assertThat(decode(Capture.pcap(link).segments(t, t.segments()))).containsExactlyElementsOf(Sessions.standardEvents());
    }

    @ParameterizedTest
    @EnumSource(Link.class)
    void everyLinkLayerInPcapng(Link link) throws Exception {
        TcpTrace t = Sessions.standard();
        assertThat(decode(Capture.pcapng(link).segments(t, t.segments()))).containsExactlyElementsOf(Sessions.standardEvents());
    }

    @ParameterizedTest
    @EnumSource(value = Link.class, names = {"ETHERNET", "VLAN", "SLL2", "NULL", "NULL_BIG_ENDIAN", "RAW"})
    void ipv6(Link link) throws Exception {
        TcpTrace t = Sessions.standard(new TcpTrace(Net.v6(1), 50000, Net.v6(2), 8080, 1000, 5000));
        Decoding d = Decoding.of(Capture.pcapng(link).segments(t, t.segments()).bytes());
        List<String> expected = Sessions.standardEvents("C", "S", Sessions.BASE_PACKETS);
        assertThat(d.lines().subList(1, d.lines().size())).containsExactlyElementsOf(expected.subList(1, expected.size()));
        HandshakeEvent h = d.of(HandshakeEvent.class).get(0);
        assertThat(Decoding.describe(h)).startsWith(expected.get(0).replace(" C -> S", " "));
        // the addresses, however they are written
        assertThat(address(h.client())).isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 50000));
        assertThat(address(h.server())).isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8::2"), 8080));
    }

    /** {@code Endpoint}'s javadoc: "{@code [::1]:80}, as people write them" (RFC 5952's compressed form). */
    @Test
    void ipv6EndpointsAreWrittenAsPeopleWriteThem() throws Exception {
        TcpTrace t = Sessions.standard(new TcpTrace(Net.v6(1), 50000, Net.v6(2), 8080, 1000, 5000));
        HandshakeEvent h = Decoding.of(Capture.pcap(Link.ETHERNET).segments(t, t.segments()).bytes())
                .of(HandshakeEvent.class).get(0);
        assertThat(h.client()).isEqualTo("[2001:db8::1]:50000");
        assertThat(h.server()).isEqualTo("[2001:db8::2]:8080");
    }

    private static InetSocketAddress address(String hostPort) throws Exception {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        assertThat(host).startsWith("[").endsWith("]");
        return new InetSocketAddress(InetAddress.getByName(host.substring(1, host.length() - 1)),
                Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Both sequence spaces wrap at 2^32 in the middle of the session (the client's inside the request). */
    @Test
    void sequenceNumbersWrapAround() throws Exception {
        TcpTrace t = Sessions.standard(TcpTrace.v4(1, 50000, 8080, 0xFFFF_FFF0L, 0xFFFF_F000L));
        List<TcpTrace.Seg> segs = t.segments();
        // the wrap happens where it is meant to
        assertThat(segs.get(3).seq()).isEqualTo(0xFFFF_FFF1L);
        assertThat(segs.get(5).seq()).isLessThan(0x1000L);
        assertThat(decode(Capture.pcap(Link.ETHERNET).segments(t, segs))).containsExactlyElementsOf(Sessions.standardEvents());
    }
}
