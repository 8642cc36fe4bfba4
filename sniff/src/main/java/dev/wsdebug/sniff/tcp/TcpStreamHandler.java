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
     * once, after the last {@link #data}. {@code atEnd} is also true when the reassembler stopped
     * following a connection whose end it did not see: dropped for the connection limit, or its
     * endpoint pair taken over by a new SYN (see {@link TcpReassembler}).
     */
    void closed(long timeNanos, boolean reset, boolean atEnd);

    /**
     * The capture holds two different versions of the same bytes of {@code from}'s stream (a
     * retransmission or overlapping segment whose bytes differ from the copy seen first). The first
     * copy won and was (or will be) delivered; this only reports the disagreement: {@code length}
     * bytes from {@code streamOffset} (offset 0 is the first byte after the SYN, or the first byte
     * captured when the SYN was not), from the first differing byte to the last. Bytes delivered
     * earlier are only compared while the reassembler still remembers them
     * ({@link TcpLimits#recentBytesPerSide}).
     */
    default void conflict(Side from, long timeNanos, long streamOffset, int length) {
    }

    /**
     * A fact about the flow of {@code from}'s bytes, from the segments' headers (see {@link FlowWatch}):
     * its receiver closed ({@link FlowKind#ZERO_WINDOW}) or opened ({@link FlowKind#WINDOW_OPEN}) its
     * window, or one of its small segments waited for the previous one's ACK ({@link FlowKind#ACK_WAIT}).
     *
     * @param from   the sender of the bytes concerned (for a window: the side that sends toward it)
     * @param bytes  sent by {@code from} and not yet acknowledged (windows), or the delayed segment's
     *               length (ACK wait); -1 when unknown
     * @param micros how long the window stayed closed, or the segment waited; 0 for a window closing
     */
    default void flow(Side from, long timeNanos, FlowKind kind, long bytes, long micros) {
    }
}
