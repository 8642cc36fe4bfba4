package dev.wsdebug.sniff.packet;

import java.net.Inet6Address;
import java.net.InetAddress;

/** An IP address and TCP port: one end of a connection. */
public record Endpoint(InetAddress address, int port) {

    /** {@code 10.0.0.1:80} or {@code [2001:db8::1]:80}, as people write them (RFC 5952 for IPv6). */
    @Override
    public String toString() {
        return (address instanceof Inet6Address ? "[" + ipv6(address.getAddress()) + "]" : address.getHostAddress())
                + ":" + port;
    }

    /**
     * RFC 5952 4: lower-case hex without leading zeros, the longest run of two or more zero groups
     * (the first of equal runs) written {@code ::}.
     */
    static String ipv6(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xFF) << 8) | (a[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
