package dev.wsdebug.sniff.synth;

import dev.wsdebug.sniff.pcap.PcapFile;
import dev.wsdebug.sniff.pcap.PcapngFile;

import java.nio.ByteOrder;
import java.util.List;

/**
 * A pcap or pcapng file being written packet by packet: each IP packet wrapped in the chosen link
 * layer, cut at the snap length, stamped 1 ms after the one before. Packet numbers count from 1
 * in the order of {@link #ip} and {@link #frame} calls, as every reader numbers them.
 */
final class Capture {
    /** 2023-11-14T22:13:20Z: the time of packet 0 (the first packet is 1 ms later). */
    static final long T0_MICROS = 1_700_000_000_000_000L;

    /** Link layers, each with its LINKTYPE_ value. */
    enum Link {
        ETHERNET(1), VLAN(1), QINQ(1), SLL2(276), NULL(0), NULL_BIG_ENDIAN(0), RAW(101);

        final int linkType;

        Link(int linkType) {
            this.linkType = linkType;
        }

        byte[] wrap(byte[] ip) {
            boolean v6 = (ip[0] & 0xF0) == 0x60;
            int etherType = v6 ? Net.ETHERTYPE_IPV6 : Net.ETHERTYPE_IPV4;
            return switch (this) {
                case ETHERNET -> Net.ethernet(etherType, ip);
                case VLAN -> Net.ethernet(etherType, ip, 0x8100, 42);
                case QINQ -> Net.ethernet(etherType, ip, 0x88A8, 100, 0x8100, 42);
                case SLL2 -> Net.sll2(etherType, ip);
                // AF_INET 2; AF_INET6 is 30 on macOS, 24 on NetBSD, 28 on FreeBSD
                case NULL -> Net.nullLink(v6 ? 30 : 2, ByteOrder.LITTLE_ENDIAN, ip);
                case NULL_BIG_ENDIAN -> Net.nullLink(v6 ? 24 : 2, ByteOrder.BIG_ENDIAN, ip);
                case RAW -> ip;
            };
        }
    }

    private final Link link;
    private final int snaplen;
    private final PcapFile pcap;
    private final PcapngFile pcapng;
    private int count;
    private long lastMicros = T0_MICROS;

    private Capture(boolean ng, Link link, int snaplen) {
        this.link = link;
        this.snaplen = snaplen;
        if (ng) {
            pcap = null;
            pcapng = new PcapngFile(ByteOrder.LITTLE_ENDIAN);
            pcapng.iface(link.linkType, snaplen);
        } else {
            pcap = new PcapFile(ByteOrder.LITTLE_ENDIAN, PcapFile.MICROS, snaplen, link.linkType);
            pcapng = null;
        }
    }

    static Capture pcap(Link link) {
        return new Capture(false, link, 262144);
    }

    static Capture pcap(Link link, int snaplen) {
        return new Capture(false, link, snaplen);
    }

    static Capture pcapng(Link link) {
        return new Capture(true, link, 0);
    }

    /** An IP packet, wrapped in the link layer; its packet number. */
    int ip(byte[] ip) {
        return frame(link.wrap(ip));
    }

    /** Every segment of the list, in the list's order. */
    Capture segments(TcpTrace trace, List<TcpTrace.Seg> segs) {
        for (TcpTrace.Seg s : segs) {
            ip(trace.ip(s));
        }
        return this;
    }

    /** A whole link-layer frame; its packet number. */
    int frame(byte[] data) {
        return frame(data, lastMicros + 1000);
    }

    /** A whole link-layer frame at a given time; its packet number. */
    int frame(byte[] data, long timeMicros) {
        lastMicros = timeMicros;
        byte[] kept = snaplen > 0 && data.length > snaplen ? java.util.Arrays.copyOf(data, snaplen) : data;
        if (pcap != null) {
            pcap.record(timeMicros / 1_000_000, timeMicros % 1_000_000, kept, kept.length, data.length);
        } else {
            pcapng.epb(0, timeMicros, kept, data.length);
        }
        return ++count;
    }

    int packets() {
        return count;
    }

    byte[] bytes() {
        return pcap != null ? pcap.bytes() : pcapng.bytes();
    }
}
