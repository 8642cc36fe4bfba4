package dev.wsdebug.sniff.packet;

import java.util.Arrays;

/**
 * What makes fragments belong to one datagram: for IPv4 the source, destination, identification
 * and protocol (RFC 791); for IPv6 the source, destination and the fragment header's
 * identification (RFC 8200). The bytes are copied from the packet, prefixed by the IP version.
 */
final class FragmentKey {
    private final byte[] bytes;
    private final int hash;

    private FragmentKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** {@code header} is the offset of an IPv4 header in {@code b}. */
    static FragmentKey ipv4(byte[] b, int header) {
        byte[] k = new byte[12];
        k[0] = 4;
        System.arraycopy(b, header + 12, k, 1, 8); // source, destination
        k[9] = b[header + 4]; // identification
        k[10] = b[header + 5];
        k[11] = b[header + 9]; // protocol
        return new FragmentKey(k);
    }

    /** {@code header} is the offset of an IPv6 header in {@code b}, {@code id} of the fragment header's identification. */
    static FragmentKey ipv6(byte[] b, int header, int id) {
        byte[] k = new byte[37];
        k[0] = 6;
        System.arraycopy(b, header + 8, k, 1, 32); // source, destination
        System.arraycopy(b, id, k, 33, 4);
        return new FragmentKey(k);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FragmentKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
