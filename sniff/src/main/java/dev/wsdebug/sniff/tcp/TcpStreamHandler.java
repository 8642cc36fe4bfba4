package dev.wsdebug.sniff.tcp;

/**
 * Receives one TCP connection's bytes in order, per side, as the reassembler puts them together:
 * each byte once, in sequence order, whatever the capture's order, retransmissions and overlaps.
 */
public interface TcpStreamHandler {
    /**
     * In-order bytes from one side. The array is only valid during the call.
     *
     * @param packet the packet that carried these bytes (for the packet numbers of frame events)
     */
    void data(Side from, long packet, long timeNanos, byte[] b, int off, int len);

    /**
     * Bytes that were never captured: the stream of {@code from} goes on after {@code missing}
     * bytes (a lost segment, a snap length cut, or an out-of-order buffer that overflowed).
     */
    void gap(Side from, long timeNanos, long missing);

    /**
     * The connection ended: both FINs, a RST, or the end of the capture ({@code atEnd}); called
     * once, after the last {@link #data}.
     */
    void closed(long timeNanos, boolean reset, boolean atEnd);
}
