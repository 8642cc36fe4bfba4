package dev.wsdebug.sniff.tcp;

import dev.wsdebug.sniff.packet.Endpoint;

/**
 * A TCP connection as the capture shows it.
 *
 * @param id        1-based, in the order connections were first seen (like tshark's tcp.stream + 1)
 * @param a         the sender of the first segment seen
 * @param b         the other end
 * @param client    the side that sent the SYN, or null when the capture began after it
 * @param firstNanos time of the first segment
 */
public record TcpFlow(long id, Endpoint a, Endpoint b, Side client, long firstNanos) {

    public Endpoint endpoint(Side side) {
        return side == Side.A ? a : b;
    }

    /** The capture began after the connection was opened (no SYN seen). */
    public boolean midStream() {
        return client == null;
    }
}
