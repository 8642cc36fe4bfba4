package dev.wsdebug.sniff.packet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The endpoints of recent packets, so that the packets of one connection share two Endpoint
 * objects instead of allocating four objects each: a direct-mapped table, where a colliding
 * endpoint simply replaces the older one.
 */
final class EndpointCache {
    private static final int SLOTS = 1024;
    private static final int SHIFT = 64 - Integer.numberOfTrailingZeros(SLOTS);
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** 0 for an empty slot: the address and port with a marker bit above them. */
    private final long[] v4Keys = new long[SLOTS];
    private final Endpoint[] v4 = new Endpoint[SLOTS];
    private final byte[][] v6Addresses = new byte[SLOTS][];
    private final int[] v6Ports = new int[SLOTS];
    private final Endpoint[] v6 = new Endpoint[SLOTS];

    /** The endpoint of the 4 address bytes at {@code b[off]} and {@code port}. */
    Endpoint ipv4(byte[] b, int off, int port) {
        long address = (b[off] & 0xFFL) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | b[off + 3] & 0xFF;
        long key = 1L << 48 | address << 16 | port;
        int slot = (int) ((key * GOLDEN) >>> SHIFT);
        Endpoint e = v4[slot];
        if (v4Keys[slot] == key) {
            return e;
        }
        e = new Endpoint(inet4(Arrays.copyOfRange(b, off, off + 4)), port);
        v4Keys[slot] = key;
        v4[slot] = e;
        return e;
    }

    /** The endpoint of the 16 address bytes at {@code b[off]} and {@code port}. */
    Endpoint ipv6(byte[] b, int off, int port) {
        long h = port;
        for (int i = 0; i < 16; i++) {
            h = h * 31 + b[off + i];
        }
        int slot = (int) ((h * GOLDEN) >>> SHIFT);
        byte[] a = v6Addresses[slot];
        if (a != null && v6Ports[slot] == port && Arrays.equals(a, 0, 16, b, off, off + 16)) {
            return v6[slot];
        }
        a = Arrays.copyOfRange(b, off, off + 16);
        Endpoint e = new Endpoint(inet6(a.clone()), port);
        v6Addresses[slot] = a;
        v6Ports[slot] = port;
        v6[slot] = e;
        return e;
    }

    static Inet4Address inet4(byte[] address) {
        try {
            return (Inet4Address) InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e); // only for a length other than 4
        }
    }

    /**
     * Always an Inet6Address: InetAddress.getByAddress would turn an IPv4-mapped address
     * (::ffff:a.b.c.d) into an IPv4 one, and the packet was IPv6.
     */
    static Inet6Address inet6(byte[] address) {
        try {
            return Inet6Address.getByAddress(null, address, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e); // only for a length other than 16
        }
    }
}
