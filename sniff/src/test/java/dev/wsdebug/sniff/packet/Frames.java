package dev.wsdebug.sniff.packet;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds packet bytes for tests, header by header as the RFCs lay them out. Checksums are left
 * 0: the decoder does not check them (and tshark does not by default).
 */
final class Frames {
    static final byte[] MAC_A = {0x02, 0, 0, 0, 0, 0x0A};
    static final byte[] MAC_B = {0x02, 0, 0, 0, 0, 0x0B};
    static final int TCP = 6;
    static final int UDP = 17;

    private Frames() {
    }

    static byte[] v4(int a, int b, int c, int d) {
        return new byte[]{(byte) a, (byte) b, (byte) c, (byte) d};
    }

    /** An IPv6 address whose last two bytes are {@code low} under 2001:db8::. */
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

    /** A TCP header with {@code options} (a multiple of 4 bytes), then {@code payload}. */
    static byte[] tcp(int srcPort, int dstPort, long seq, long ack, int flags, byte[] options, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + options.length + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq).putInt((int) ack)
                .put((byte) (((20 + options.length) / 4) << 4)).put((byte) flags).putShort((short) 65535)
                .putShort((short) 0).putShort((short) 0).put(options).put(payload);
        return b.array();
    }

    static byte[] tcp(int srcPort, int dstPort, long seq, int flags, byte[] payload) {
        return tcp(srcPort, dstPort, seq, 1000, flags, new byte[0], payload);
    }

    static byte[] udp(int srcPort, int dstPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0)
                .put(payload);
        return b.array();
    }

    /**
     * An IPv4 header with {@code options} (a multiple of 4 bytes) before {@code payload}.
     *
     * @param flagsAndOffset the 16-bit flags and fragment offset field (0x2000 = more fragments;
     *                       the offset counts 8-byte units)
     * @param totalLength    the total length field, or -1 for the real one
     */
    static byte[] ipv4(byte[] src, byte[] dst, int protocol, int id, int flagsAndOffset, byte[] options,
                       int totalLength, byte[] payload) {
        int headerLength = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(headerLength + payload.length);
        b.put((byte) (0x40 | headerLength / 4)).put((byte) 0)
                .putShort((short) (totalLength >= 0 ? totalLength : headerLength + payload.length))
                .putShort((short) id).putShort((short) flagsAndOffset).put((byte) 64).put((byte) protocol)
                .putShort((short) 0).put(src).put(dst).put(options).put(payload);
        return b.array();
    }

    static byte[] ipv4(byte[] src, byte[] dst, int protocol, byte[] payload) {
        return ipv4(src, dst, protocol, 1, 0x4000, new byte[0], -1, payload);
    }

    /** An IPv6 header; {@code payload} starts with the header {@code next} names (extension headers included). */
    static byte[] ipv6(byte[] src, byte[] dst, int next, int payloadLength, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x6000_0000).putShort((short) (payloadLength >= 0 ? payloadLength : payload.length))
                .put((byte) next).put((byte) 64).put(src).put(dst).put(payload);
        return b.array();
    }

    static byte[] ipv6(byte[] src, byte[] dst, int next, byte[] payload) {
        return ipv6(src, dst, next, -1, payload);
    }

    /**
     * A generic IPv6 extension header (hop-by-hop 0, routing 43, destination options 60) of
     * {@code units} 8-byte units, padded with PadN.
     */
    static byte[] extension(int next, int units) {
        byte[] h = new byte[units * 8];
        h[0] = (byte) next;
        h[1] = (byte) (units - 1);
        h[2] = 1; // PadN over the rest
        h[3] = (byte) (h.length - 4);
        return h;
    }

    /** An Authentication Header with {@code icvWords} 4-byte words of ICV (its length field counts words less 2). */
    static byte[] authentication(int next, int icvWords) {
        ByteBuffer b = ByteBuffer.allocate(12 + icvWords * 4);
        b.put((byte) next).put((byte) (1 + icvWords)).putShort((short) 0).putInt(0x1234).putInt(1);
        return b.array();
    }

    static byte[] fragmentHeader(int next, int offset, boolean more, int id) {
        ByteBuffer b = ByteBuffer.allocate(8);
        b.put((byte) next).put((byte) 0).putShort((short) (offset | (more ? 1 : 0))).putInt(id);
        return b.array();
    }

    /** Ethernet with {@code tags} (pairs of tag EtherType and VLAN id) before the payload's EtherType. */
    static byte[] ethernet(int etherType, byte[] payload, int... tags) {
        ByteBuffer b = ByteBuffer.allocate(14 + tags.length * 2 + payload.length);
        b.put(MAC_B).put(MAC_A);
        for (int i = 0; i < tags.length; i += 2) {
            b.putShort((short) tags[i]).putShort((short) tags[i + 1]);
        }
        b.putShort((short) etherType).put(payload);
        return b.array();
    }

    /** Linux cooked capture v1: packet type, ARPHRD_ETHER, 6-byte address, protocol. */
    static byte[] sll(int protocol, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(16 + payload.length);
        b.putShort((short) 0).putShort((short) 1).putShort((short) 6).put(MAC_A).putShort((short) 0)
                .putShort((short) protocol).put(payload);
        return b.array();
    }

    /** Linux cooked capture v2: protocol, reserved, interface index, ARPHRD_ETHER, type, address. */
    static byte[] sll2(int protocol, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) protocol).putShort((short) 0).putInt(2).putShort((short) 1).put((byte) 4).put((byte) 6)
                .put(MAC_A).putShort((short) 0).put(payload);
        return b.array();
    }

    /** BSD loopback: a 4-byte address family in {@code order}. */
    static byte[] loopback(int family, ByteOrder order, byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length).order(order).putInt(family).put(payload).array();
    }
}
