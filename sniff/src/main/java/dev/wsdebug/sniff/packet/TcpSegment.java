package dev.wsdebug.sniff.packet;

/**
 * A TCP segment decoded from a packet (link layer, IP and TCP headers removed; IPv4 fragments
 * already joined).
 *
 * @param packet        the capture's packet number (the last fragment's, when reassembled)
 * @param timeNanos     capture time
 * @param flags         the TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10)
 * @param payload       the payload bytes the capture holds
 * @param payloadLength the payload length the IP header states: more than {@code payload.length}
 *                      when the snap length cut the packet (the missing bytes are a gap)
 * @param window        the raw 16-bit window field, not yet scaled (-1: unknown, for segments not
 *                      decoded from a header)
 * @param windowScale   the shift of the window scale option (RFC 7323, kind 3) when the segment
 *                      carries one (it counts only on SYNs), else -1
 */
public record TcpSegment(long packet, long timeNanos, Endpoint src, Endpoint dst, long seq, long ack, int flags,
                         byte[] payload, int payloadLength, int window, int windowScale) {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    /** A segment whose window is not known (built by hand rather than decoded). */
    public TcpSegment(long packet, long timeNanos, Endpoint src, Endpoint dst, long seq, long ack, int flags,
                      byte[] payload, int payloadLength) {
        this(packet, timeNanos, src, dst, seq, ack, flags, payload, payloadLength, -1, -1);
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
