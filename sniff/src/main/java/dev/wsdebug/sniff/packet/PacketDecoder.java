package dev.wsdebug.sniff.packet;

import dev.wsdebug.sniff.pcap.CaptureFormatException;
import dev.wsdebug.sniff.pcap.Packet;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds the TCP segment in a captured packet: link layer, IP (v4 with options and fragments,
 * v6 with extension headers and fragments) and TCP header, written here from the RFCs rather
 * than through a pcap library so that every byte is accounted for.
 *
 * <p><b>Link types.</b> Ethernet (with any number of 802.1Q / 802.1ad / old QinQ tags, and
 * PPPoE sessions), Linux cooked capture v1 and v2, BSD loopback (NULL and LOOP: a 4-byte address
 * family in either byte order, AF_INET 2 and the BSDs' AF_INET6 24, 28 and 30), raw IP (101, and
 * 12 and 14 where some systems wrote their DLT_RAW as is; a 12 that starts with a loopback
 * header, OpenBSD's DLT_LOOP, is read as LOOP), and the IPv4 and IPv6 link types. The first
 * packet of any other link type is a {@link CaptureFormatException} naming it; if the caller
 * goes on, later packets of that link type count as other.
 *
 * <p><b>Lengths.</b> The payload length comes from the IP header, so a packet cut by the snap
 * length gives {@code payload.length < payloadLength} (and one whose TCP options were cut gives
 * an empty payload), while Ethernet padding is never taken for payload. An IP length of 0 (TCP
 * segmentation offload seen before the NIC filled it in, or an IPv6 jumbogram) means the
 * captured length. Checksums are not checked: with offload the captured ones are often wrong.
 *
 * <p><b>Fragments.</b> IPv4 and IPv6 fragments are joined (at most {@code maxIncomplete}
 * datagrams waiting, each given up {@code fragmentTimeoutNanos} of capture time after its first
 * fragment; overlaps keep the bytes that came first); the segment is reported with the packet
 * number and time of the fragment that completed it. A fragment cut by the snap length cannot be
 * joined and counts as other.
 *
 * <p><b>Counts.</b> Every packet given to {@link #decode} is counted once: as TCP when it
 * carried TCP (a segment, or a fragment of a TCP datagram), as UDP likewise, otherwise as other
 * (not IP, other protocols, headers cut short or malformed). Not thread-safe: one per capture.
 */
public final class PacketDecoder {
    public static final int DEFAULT_MAX_INCOMPLETE = 64;
    public static final long DEFAULT_FRAGMENT_TIMEOUT_NANOS = 30_000_000_000L;

    private static final byte[] NO_BYTES = new byte[0];
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    /** Pre-standard QinQ outer tags. */
    private static final int ETHERTYPE_QINQ_9100 = 0x9100;
    private static final int ETHERTYPE_QINQ_9200 = 0x9200;
    private static final int ETHERTYPE_PPPOE_SESSION = 0x8864;
    private static final int PPP_IPV4 = 0x0021;
    private static final int PPP_IPV6 = 0x0057;
    private static final int ARPHRD_NETLINK = 824;
    private static final int AF_INET = 2;
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int IPV6_HOP_BY_HOP = 0;
    private static final int IPV6_ROUTING = 43;
    private static final int IPV6_FRAGMENT = 44;
    private static final int IPV6_AH = 51;
    private static final int IPV6_DESTINATION = 60;
    private static final int IPV6_MOBILITY = 135;
    private static final int IPV6_HIP = 139;
    private static final int IPV6_SHIM6 = 140;

    private final EndpointCache endpoints = new EndpointCache();
    private final IpFragments fragments;
    private final Set<Integer> unsupportedReported = new HashSet<>();
    private long tcpPackets;
    private long udpPackets;
    private long otherPackets;

    public PacketDecoder() {
        this(DEFAULT_MAX_INCOMPLETE, DEFAULT_FRAGMENT_TIMEOUT_NANOS);
    }

    /**
     * @param maxIncomplete        fragmented datagrams kept waiting for their other fragments
     * @param fragmentTimeoutNanos capture time after its first fragment when a datagram is given up
     */
    public PacketDecoder(int maxIncomplete, long fragmentTimeoutNanos) {
        fragments = new IpFragments(maxIncomplete, fragmentTimeoutNanos);
    }

    /**
     * The TCP segment {@code p} carries, or null for anything else (and for a fragment that does
     * not complete its datagram).
     *
     * @throws CaptureFormatException for the first packet of a link type this decoder cannot read
     */
    public TcpSegment decode(Packet p) throws CaptureFormatException {
        byte[] d = p.data();
        int linkType = p.linkType();
        switch (linkType) {
            case LinkTypes.ETHERNET:
                return d.length < 14 ? other() : etherType(p, d, u16(d, 12), 14);
            case LinkTypes.LINUX_SLL:
                if (d.length < 16 || u16(d, 2) == ARPHRD_NETLINK) {
                    return other();
                }
                return etherType(p, d, u16(d, 14), 16);
            case LinkTypes.LINUX_SLL2:
                if (d.length < 20 || u16(d, 8) == ARPHRD_NETLINK) {
                    return other();
                }
                return etherType(p, d, u16(d, 0), 20);
            case LinkTypes.NULL, LinkTypes.LOOP:
                return loopback(p, d);
            case LinkTypes.RAW, LinkTypes.BSD_RAW, LinkTypes.OPENBSD_RAW:
                if (linkType == LinkTypes.BSD_RAW && d.length >= 4 && (d[0] & 0xF0) == 0) {
                    return loopback(p, d);
                }
                return rawIp(p, d, 0);
            case LinkTypes.IPV4:
                return ipv4(p, d, 0);
            case LinkTypes.IPV6:
                return ipv6(p, d, 0);
            default:
                if (unsupportedReported.add(linkType)) {
                    otherPackets++;
                    throw new CaptureFormatException("packet " + p.number() + " has link type "
                            + LinkTypes.describe(linkType) + ", which wsdebug cannot decode (it reads Ethernet, "
                            + "Linux cooked, BSD loopback and raw IP captures).");
                }
                return other();
        }
    }

    /** Packets that carried TCP: segments returned, and fragments of TCP datagrams. */
    public long tcpPackets() {
        return tcpPackets;
    }

    /** Packets that carried UDP (fragments of UDP datagrams included). */
    public long udpPackets() {
        return udpPackets;
    }

    /** Every other packet: not IP, other protocols, cut short or malformed. */
    public long otherPackets() {
        return otherPackets;
    }

    /** Fragmented datagrams given up incomplete (timed out, or pushed out by newer ones). */
    public long incompleteDatagramsDropped() {
        return fragments.dropped();
    }

    /** An EtherType ({@code type}) whose payload starts at {@code pos}. */
    private TcpSegment etherType(Packet p, byte[] d, int type, int pos) {
        while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_9100
                || type == ETHERTYPE_QINQ_9200) {
            // A tag: 2 bytes of priority and VLAN id, then the EtherType of what it tags.
            if (pos + 4 > d.length) {
                return other();
            }
            type = u16(d, pos + 2);
            pos += 4;
        }
        switch (type) {
            case ETHERTYPE_IPV4:
                return ipv4(p, d, pos);
            case ETHERTYPE_IPV6:
                return ipv6(p, d, pos);
            case ETHERTYPE_PPPOE_SESSION:
                // 6 bytes of PPPoE header, then the PPP protocol number.
                if (pos + 8 > d.length) {
                    return other();
                }
                int ppp = u16(d, pos + 6);
                return ppp == PPP_IPV4 ? ipv4(p, d, pos + 8) : ppp == PPP_IPV6 ? ipv6(p, d, pos + 8) : other();
            default:
                return other();
        }
    }

    /**
     * BSD loopback: the address family as a 4-byte integer, in the capturing host's byte order
     * for NULL and in network order for LOOP; neither is trusted, since files move between hosts.
     */
    private TcpSegment loopback(Packet p, byte[] d) {
        if (d.length < 4) {
            return other();
        }
        long family = u32(d, 0);
        if (family > 0xFFFF) {
            family = Integer.reverseBytes((int) family) & 0xFFFF_FFFFL;
        }
        if (family == AF_INET) {
            return ipv4(p, d, 4);
        }
        if (family == 24 || family == 28 || family == 30) {
            return ipv6(p, d, 4);
        }
        return other();
    }

    private TcpSegment rawIp(Packet p, byte[] d, int off) {
        if (off >= d.length) {
            return other();
        }
        int version = (d[off] >> 4) & 0xF;
        return version == 4 ? ipv4(p, d, off) : version == 6 ? ipv6(p, d, off) : other();
    }

    private TcpSegment ipv4(Packet p, byte[] d, int off) {
        if (off + 20 > d.length || ((d[off] >> 4) & 0xF) != 4) {
            return other();
        }
        int headerLength = (d[off] & 0xF) * 4;
        if (headerLength < 20 || off + headerLength > d.length) {
            return other();
        }
        int totalLength = u16(d, off + 2);
        if (totalLength != 0 && totalLength < headerLength) {
            return other();
        }
        int start = off + headerLength;
        int end = totalLength == 0 ? d.length : off + totalLength;
        int protocol = d[off + 9] & 0xFF;
        int flagsAndOffset = u16(d, off + 6);
        boolean more = (flagsAndOffset & 0x2000) != 0;
        int fragmentOffset = (flagsAndOffset & 0x1FFF) * 8;
        if (!more && fragmentOffset == 0) {
            return transport(p, protocol, d, start, end, false, d, off + 12, off + 16);
        }
        if (end > d.length) {
            return other();
        }
        FragmentedDatagram whole = fragments.add(FragmentKey.ipv4(d, off), p.timeNanos(), fragmentOffset, more, d,
                start, end - start, protocol);
        if (whole == null) {
            return count(protocol);
        }
        byte[] payload = whole.payload();
        return transport(p, protocol, payload, 0, payload.length, false, d, off + 12, off + 16);
    }

    private TcpSegment ipv6(Packet p, byte[] d, int off) {
        if (off + 40 > d.length || ((d[off] >> 4) & 0xF) != 6) {
            return other();
        }
        int payloadLength = u16(d, off + 4);
        int end = payloadLength == 0 ? d.length : off + 40 + payloadLength;
        return ipv6Headers(p, d, off + 40, end, d[off + 6] & 0xFF, d, off, false);
    }

    /**
     * Walks IPv6 extension headers from {@code pos} (the header type {@code next}) to the
     * transport header. {@code ip} and {@code header} locate the IPv6 header itself, which is in
     * another array than {@code d} when {@code d} is a reassembled payload.
     */
    private TcpSegment ipv6Headers(Packet p, byte[] d, int pos, int end, int next, byte[] ip, int header,
                                   boolean reassembled) {
        int captured = Math.min(d.length, end);
        while (true) {
            switch (next) {
                case IPV6_HOP_BY_HOP, IPV6_ROUTING, IPV6_DESTINATION, IPV6_MOBILITY, IPV6_HIP, IPV6_SHIM6:
                    if (pos + 8 > captured) {
                        return other();
                    }
                    next = d[pos] & 0xFF;
                    pos += ((d[pos + 1] & 0xFF) + 1) * 8;
                    break;
                case IPV6_AH:
                    // Its length counts 4-byte words, less 2 (RFC 4302).
                    if (pos + 8 > captured) {
                        return other();
                    }
                    next = d[pos] & 0xFF;
                    pos += ((d[pos + 1] & 0xFF) + 2) * 4;
                    break;
                case IPV6_FRAGMENT:
                    if (pos + 8 > captured || reassembled) {
                        return other();
                    }
                    int inner = d[pos] & 0xFF;
                    int offsetAndFlags = u16(d, pos + 2);
                    int fragmentOffset = offsetAndFlags & 0xFFF8;
                    boolean more = (offsetAndFlags & 1) != 0;
                    int id = pos + 4;
                    pos += 8;
                    next = inner;
                    if (fragmentOffset == 0 && !more) {
                        break; // an atomic fragment (RFC 6946): the whole datagram
                    }
                    return ipv6Fragment(p, d, pos, end, inner, header, id, fragmentOffset, more);
                default:
                    if (pos > end) {
                        return other();
                    }
                    return transport(p, next, d, pos, end, true, ip, header + 8, header + 24);
            }
        }
    }

    private TcpSegment ipv6Fragment(Packet p, byte[] d, int pos, int end, int inner, int header, int id,
                                    int fragmentOffset, boolean more) {
        if (end > d.length || pos > end) {
            return other();
        }
        FragmentedDatagram whole = fragments.add(FragmentKey.ipv6(d, header, id), p.timeNanos(), fragmentOffset, more,
                d, pos, end - pos, inner);
        if (whole == null) {
            return count(inner);
        }
        byte[] payload = whole.payload();
        return ipv6Headers(p, payload, 0, payload.length, whole.firstHeader(), d, header, true);
    }

    /**
     * The transport header at {@code d[start]}; the IP header says the datagram ends at
     * {@code end}, which may be past the captured bytes.
     */
    private TcpSegment transport(Packet p, int protocol, byte[] d, int start, int end, boolean v6, byte[] ip,
                                 int src, int dst) {
        if (protocol != TCP) {
            return count(protocol);
        }
        int stated = end - start;
        int captured = Math.min(d.length, end) - start;
        if (captured < 20) {
            return other();
        }
        int headerLength = ((d[start + 12] >> 4) & 0xF) * 4;
        if (headerLength < 20 || headerLength > stated) {
            return other();
        }
        int srcPort = u16(d, start);
        int dstPort = u16(d, start + 2);
        long seq = u32(d, start + 4);
        long ack = u32(d, start + 8);
        int flags = d[start + 13] & 0xFF;
        int window = u16(d, start + 14);
        int windowScale = windowScale(d, start + 20, start + Math.min(headerLength, captured));
        int payloadCaptured = Math.max(0, captured - headerLength);
        byte[] payload = payloadCaptured == 0 ? NO_BYTES
                : Arrays.copyOfRange(d, start + headerLength, start + headerLength + payloadCaptured);
        Endpoint from = v6 ? endpoints.ipv6(ip, src, srcPort) : endpoints.ipv4(ip, src, srcPort);
        Endpoint to = v6 ? endpoints.ipv6(ip, dst, dstPort) : endpoints.ipv4(ip, dst, dstPort);
        tcpPackets++;
        return new TcpSegment(p.number(), p.timeNanos(), from, to, seq, ack, flags, payload, stated - headerLength,
                window, windowScale);
    }

    /**
     * The shift of a window scale option (kind 3, length 3) among the TCP options in
     * {@code d[pos..end)}, or -1; read in place (no allocation). RFC 7323 2.3: a shift over 14 is
     * taken as 14. A malformed option list ends the search.
     */
    private static int windowScale(byte[] d, int pos, int end) {
        while (pos < end) {
            int kind = d[pos] & 0xFF;
            if (kind == 0) {
                return -1; // end of option list
            }
            if (kind == 1) {
                pos++; // no-operation (padding)
                continue;
            }
            if (pos + 1 >= end) {
                return -1;
            }
            int length = d[pos + 1] & 0xFF;
            if (length < 2 || pos + length > end) {
                return -1;
            }
            if (kind == 3 && length == 3) {
                return Math.min(d[pos + 2] & 0xFF, 14);
            }
            pos += length;
        }
        return -1;
    }

    private TcpSegment count(int protocol) {
        if (protocol == TCP) {
            tcpPackets++;
        } else if (protocol == UDP) {
            udpPackets++;
        } else {
            otherPackets++;
        }
        return null;
    }

    private TcpSegment other() {
        otherPackets++;
        return null;
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | b[off + 1] & 0xFF;
    }

    private static long u32(byte[] b, int off) {
        return ((b[off] & 0xFFL) << 24) | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | b[off + 3] & 0xFF;
    }
}
