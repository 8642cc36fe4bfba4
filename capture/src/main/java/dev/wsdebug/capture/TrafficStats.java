package dev.wsdebug.capture;

import dev.wsdebug.wire.Direction;

/**
 * Counts what crossed the wire in each direction: frames, messages, bytes on the wire (headers
 * included) and decoded message bytes (after inflation). Thread-safe.
 *
 * <p>Bytes on the wire are counted as they arrive ({@link #chunk}), less the HTTP head of the
 * handshake, so a frame still arriving counts too: a peer in the middle of an endless frame shows
 * how much it has sent, not 0.
 */
public final class TrafficStats implements EventSink {
    /** Totals of one direction. */
    public record Totals(long frames, long messages, long wireBytes, long messageWireBytes, long decodedBytes) {
    }

    private final long[][] counts = new long[2][5];
    /** Per direction: bytes fed, and the length of its HTTP head once known (-1 before). */
    private final long[] fed = new long[2];
    private final long[] head = {-1, -1};
    private long firstMicros = -1;
    private long lastMicros;
    private CloseEvent close;

    @Override
    public synchronized void accept(Event event) {
        if (event instanceof HttpEvent) {
            return; // a plain HTTP exchange: no WebSocket traffic to count
        }
        if (firstMicros < 0) {
            firstMicros = event.timeMicros();
        }
        lastMicros = Math.max(lastMicros, event.timeMicros());
        if (event instanceof HandshakeEvent h) {
            head[Direction.C2S.ordinal()] = h.request() == null ? 0 : h.request().length();
            head[Direction.S2C.ordinal()] = h.response() == null ? 0 : h.response().length();
        } else if (event instanceof FrameEvent f) {
            long[] c = counts[f.dir().ordinal()];
            c[0]++;
            c[2] += f.frame().wireLength();
        } else if (event instanceof MessageEvent m) {
            long[] c = counts[m.dir().ordinal()];
            c[1]++;
            c[3] += m.message().wireLength();
            c[4] += m.message().length();
        } else if (event instanceof CloseEvent c) {
            close = c;
        }
    }

    @Override
    public synchronized void chunk(String conn, Direction dir, long timeMicros, byte[] b, int off, int len) {
        fed[dir.ordinal()] += len;
    }

    public synchronized Totals totals(Direction dir) {
        long[] c = counts[dir.ordinal()];
        int d = dir.ordinal();
        // frames: what arrived after the head (a frame in progress included); without chunks, whole frames only
        long wire = fed[d] > 0 ? Math.max(c[2], fed[d] - Math.max(0, head[d])) : c[2];
        return new Totals(c[0], c[1], wire, c[3], c[4]);
    }

    /** Microseconds from the first event to the last. */
    public synchronized long spanMicros() {
        return firstMicros < 0 ? 0 : lastMicros - firstMicros;
    }

    /** The close event, once the connection has closed. */
    public synchronized CloseEvent closeEvent() {
        return close;
    }
}
