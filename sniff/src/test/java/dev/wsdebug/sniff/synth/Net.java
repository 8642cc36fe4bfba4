package dev.wsdebug.sniff.synth;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Packet bytes for the synthetic captures, header by header as the RFCs lay them out: link layers
 * (Ethernet with VLAN tags, Linux cooked v2, BSD loopback), IPv4 (whole or in fragments), IPv6 and
 * TCP. Checksums are left 0: the decoder does not check them.
 */
final class Net {
    static final int TCP = 6;
    static final int UDP = 17;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int ETHERTYPE_ARP = 0x0806;

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    private static final byte[] MAC_A = {0x02, 0, 0, 0, 0, 0x0A};
    private static final byte[] MAC_B = {0x02, 0, 0, 0, 0, 0x0B};

    private Net() {
    }

    static byte[] v4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    /** 2001:db8::{low} */
    static byte[] v6(int low) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[2] = 0x0d;
        a[3] = (byte) 0xb8;
        a[14] = (byte) (low >> 8);
        a[15] = (byte) low;
        return a;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] tcp(int srcPort, int dstPort, long seq, long ack, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq).putInt((int) ack)
                .put((byte) (5 << 4)).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0)
                .put(payload);
        return b.array();
    }

    static byte[] udp(int srcPort, int dstPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0)
                .put(payload);
        return b.array();
    }

    /** An IPv4 header (no options); {@code flagsAndOffset}: 0x4000 DF, 0x2000 MF, offset in 8-byte units. */
    static byte[] ipv4(byte[] src, byte[] dst, int protocol, int id, int flagsAndOffset, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) id)
                .putShort((short) flagsAndOffset).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(src).put(dst).put(payload);
        return b.array();
    }

    static byte[] ipv4(byte[] src, byte[] dst, int protocol, byte[] payload) {
        return ipv4(src, dst, protocol, 1, 0x4000, payload);
    }

    /**
     * One IPv4 datagram cut into fragments whose payloads hold at most {@code unit} bytes (a multiple
     * of 8), in offset order.
     */
    static List<byte[]> ipv4Fragments(byte[] src, byte[] dst, int protocol, int id, byte[] payload, int unit) {
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < payload.length; off += unit) {
            int n = Math.min(unit, payload.length - off);
            boolean more = off + n < payload.length;
            byte[] part = java.util.Arrays.copyOfRange(payload, off, off + n);
            out.add(ipv4(src, dst, protocol, id, (more ? 0x2000 : 0) | (off / 8), part));
        }
        return out;
    }

    static byte[] ipv6(byte[] src, byte[] dst, int next, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x6000_0000).putShort((short) payload.length).put((byte) next).put((byte) 64).put(src).put(dst)
                .put(payload);
        return b.array();
    }

    /** Ethernet II with {@code tags} (pairs: tag EtherType, VLAN id) before the payload's EtherType. */
    static byte[] ethernet(int etherType, byte[] payload, int... tags) {
        ByteBuffer b = ByteBuffer.allocate(14 + tags.length * 2 + payload.length);
        b.put(MAC_B).put(MAC_A);
        for (int i = 0; i < tags.length; i += 2) {
            b.putShort((short) tags[i]).putShort((short) tags[i + 1]);
        }
        b.putShort((short) etherType).put(payload);
        return b.array();
    }

    /** Linux cooked capture v2: protocol, reserved, interface index, ARPHRD_ETHER, packet type, address. */
    static byte[] sll2(int protocol, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) protocol).putShort((short) 0).putInt(2).putShort((short) 1).put((byte) 4).put((byte) 6)
                .put(MAC_A).putShort((short) 0).put(payload);
        return b.array();
    }

    /** BSD loopback (LINKTYPE_NULL): the address family in the capturing host's byte order. */
    static byte[] nullLink(int family, ByteOrder order, byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length).order(order).putInt(family).put(payload).array();
    }

    /** An ARP request: neither IP nor TCP. */
    static byte[] arp() {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1)
                .put(MAC_A).put(v4(10, 0, 0, 1)).put(new byte[6]).put(v4(10, 0, 0, 2));
        return ethernet(ETHERTYPE_ARP, b.array());
    }
}
