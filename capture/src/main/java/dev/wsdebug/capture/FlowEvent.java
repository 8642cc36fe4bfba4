package dev.wsdebug.capture;

import dev.wsdebug.wire.Direction;

/**
 * Added to schema v1: what the transport showed about the flow of one direction's bytes, where the
 * source can see it. Packet captures see TCP: a receiver advertising a zero window (its application
 * stopped reading) and opening it again, and a small segment held back until the previous one was
 * acknowledged (Nagle's algorithm waiting on a delayed ACK). The proxy sees its own buffers: bytes
 * it holds for a peer that stopped reading, and when they drained.
 *
 * @param dir    the direction of the bytes concerned: {@code S2C} when the client's window closed or
 *               the proxy holds bytes for the client; the sender's direction for an ACK wait
 * @param kind   {@link #ZERO_WINDOW}, {@link #WINDOW_OPEN}, {@link #ACK_WAIT}, {@link #HELD} or
 *               {@link #DRAINED}
 * @param bytes  bytes waiting: in flight toward the closed window, held by the proxy, or the size of
 *               the delayed segment; -1 when unknown
 * @param micros how long: the window stayed closed, the segment waited, the bytes were held; 0 when
 *               it is still going on
 */
public record FlowEvent(String conn, long timeMicros, Direction dir, String kind, long bytes, long micros)
        implements Event {
    /** The receiver of {@code dir} advertised a zero TCP window. */
    public static final String ZERO_WINDOW = "zero-window";
    /** The receiver of {@code dir} opened its window again after {@code micros}. */
    public static final String WINDOW_OPEN = "window-open";
    /** A small segment of {@code dir} left only when the previous one was acknowledged, {@code micros} later. */
    public static final String ACK_WAIT = "ack-wait";
    /** The proxy has held {@code bytes} for the receiver of {@code dir} for {@code micros}. */
    public static final String HELD = "held";
    /** What the proxy held for the receiver of {@code dir} was written, after {@code micros}. */
    public static final String DRAINED = "drained";

    @Override
    public String name() {
        return "flow";
    }
}
