package dev.wsdebug.sniff;

/**
 * What a capture held, counted while it was decoded: for the summary line after the events
 * ("Other TCP and UDP traffic is counted in a summary line, not printed").
 */
public final class CaptureSummary {
    long packets;
    long tcpConnections;
    long webSockets;
    long httpExchanges;
    long tlsConnections;
    long tlsDecrypted;
    long otherTcpConnections;
    long otherTcpBytes;
    long udpPackets;
    long otherPackets;

    public long packets() {
        return packets;
    }

    public long webSockets() {
        return webSockets;
    }

    public long tcpConnections() {
        return tcpConnections;
    }

    /** One line: "1,234 packets: 3 WebSocket connections, 12 HTTP exchanges, 2 TLS connections (1 decrypted), 5 other TCP connections (12,345 bytes), 40 UDP and 2 other packets." */
    @Override
    public String toString() {
        return String.format("%,d packets: %,d WebSocket connection%s, %,d HTTP exchange%s, %,d TLS connection%s (%,d"
                        + " decrypted), %,d other TCP connection%s (%,d bytes), %,d UDP and %,d other packets",
                packets, webSockets, webSockets == 1 ? "" : "s", httpExchanges, httpExchanges == 1 ? "" : "s",
                tlsConnections, tlsConnections == 1 ? "" : "s", tlsDecrypted, otherTcpConnections,
                otherTcpConnections == 1 ? "" : "s", otherTcpBytes, udpPackets, otherPackets);
    }
}
