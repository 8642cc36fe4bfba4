package dev.wsdebug.capture.export;

/**
 * Builds Ethernet II frames carrying IPv4 or IPv6 and TCP, with correct IP header and TCP
 * checksums (RFC 791, RFC 8200, RFC 9293 3.1 with the pseudo-header of each IP version).
 */
final class Packets {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    static final int ETHERNET_HEADER = 14;
    static final int IPV4_HEADER = 20;
    static final int IPV6_HEADER = 40;
    static final int TCP_HEADER = 20;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int PROTO_TCP = 6;
    private static final int TTL = 64;

    private Packets() {
    }

    /** One end of a TCP connection: a 4- or 16-byte address and a port. */
    record Endpoint(byte[] ip, int port, byte[] mac) {
        boolean isV6() {
            return ip.length == 16;
        }
    }

    /** The TCP fields of one segment. */
    record Segment(int seq, int ack, int flags, int window, byte[] options) {
    }

    /**
     * One Ethernet frame from {@code src} to {@code dst}.
     *
     * @param ipId the IPv4 identification field (ignored for IPv6)
     */
    static byte[] frame(Endpoint src, Endpoint dst, int ipId, Segment s, byte[] data, int off, int len) {
        boolean v6 = src.isV6();
        if (v6 != dst.isV6()) {
            throw new IllegalArgumentException("both ends must use the same IP version");
        }
        byte[] options = s.options() == null ? new byte[0] : s.options();
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("TCP options must be padded to 4 bytes, at most 40");
        }
        int tcpLen = TCP_HEADER + options.length + len;
        int ipHeader = v6 ? IPV6_HEADER : IPV4_HEADER;
        if (v6 ? tcpLen > 0xFFFF : ipHeader + tcpLen > 0xFFFF) {
            throw new IllegalArgumentException("segment too long for one IP packet: " + len + " bytes");
        }
        byte[] p = new byte[ETHERNET_HEADER + ipHeader + tcpLen];
        System.arraycopy(dst.mac(), 0, p, 0, 6);
        System.arraycopy(src.mac(), 0, p, 6, 6);
        put16(p, 12, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
        int ip = ETHERNET_HEADER;
        int tcp = ip + ipHeader;
        if (v6) {
            p[ip] = 0x60; // version 6, traffic class 0, flow label 0
            put16(p, ip + 4, tcpLen);
            p[ip + 6] = PROTO_TCP;
            p[ip + 7] = TTL;
            System.arraycopy(src.ip(), 0, p, ip + 8, 16);
            System.arraycopy(dst.ip(), 0, p, ip + 24, 16);
        } else {
            p[ip] = 0x45; // version 4, 5 words of header
            put16(p, ip + 2, ipHeader + tcpLen);
            put16(p, ip + 4, ipId & 0xFFFF);
            put16(p, ip + 6, 0x4000); // don't fragment
            p[ip + 8] = TTL;
            p[ip + 9] = PROTO_TCP;
            System.arraycopy(src.ip(), 0, p, ip + 12, 4);
            System.arraycopy(dst.ip(), 0, p, ip + 16, 4);
            put16(p, ip + 10, checksum(p, ip, IPV4_HEADER, 0));
        }
        put16(p, tcp, src.port());
        put16(p, tcp + 2, dst.port());
        put32(p, tcp + 4, s.seq());
        put32(p, tcp + 8, s.ack());
        p[tcp + 12] = (byte) (((TCP_HEADER + options.length) / 4) << 4);
        p[tcp + 13] = (byte) s.flags();
        put16(p, tcp + 14, s.window());
        System.arraycopy(options, 0, p, tcp + TCP_HEADER, options.length);
        System.arraycopy(data, off, p, tcp + TCP_HEADER + options.length, len);
        put16(p, tcp + 16, checksum(p, tcp, tcpLen, pseudoHeaderSum(src.ip(), dst.ip(), tcpLen)));
        return p;
    }

    /** The ones' complement sum of the pseudo-header (RFC 9293 3.1 for IPv4, RFC 8200 8.1 for IPv6). */
    static long pseudoHeaderSum(byte[] srcIp, byte[] dstIp, int tcpLength) {
        long sum = sum(srcIp, 0, srcIp.length, 0);
        sum = sum(dstIp, 0, dstIp.length, sum);
        if (srcIp.length == 16) {
            sum += (tcpLength >>> 16) + (tcpLength & 0xFFFF); // 32-bit upper-layer length
        } else {
            sum += tcpLength;
        }
        return sum + PROTO_TCP;
    }

    /** The Internet checksum (RFC 1071) of {@code b[off, off+len)} plus a partial sum. */
    static int checksum(byte[] b, int off, int len, long initial) {
        long sum = sum(b, off, len, initial);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static long sum(byte[] b, int off, int len, long sum) {
        int end = off + len;
        int i = off;
        for (; i + 1 < end; i += 2) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += (b[i] & 0xFF) << 8; // odd length: pad with a zero byte
        }
        return sum;
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void put32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
