package dev.wsdebug.capture;

import dev.wsdebug.wire.Direction;

/**
 * Counts what crossed the wire in each direction: frames, messages, bytes on the wire (headers
 * included) and decoded message bytes (after inflation). Thread-safe.
 */
public final class TrafficStats implements EventSink {
    /** Totals of one direction. */
    public record Totals(long frames, long messages, long wireBytes, long messageWireBytes, long decodedBytes) {
    }

    private final long[][] counts = new long[2][5];
    private long firstMicros = -1;
    private long lastMicros;
    private CloseEvent close;

    @Override
    public synchronized void accept(Event event) {
        if (firstMicros < 0) {
            firstMicros = event.timeMicros();
        }
        lastMicros = Math.max(lastMicros, event.timeMicros());
        if (event instanceof FrameEvent f) {
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

    public synchronized Totals totals(Direction dir) {
        long[] c = counts[dir.ordinal()];
        return new Totals(c[0], c[1], c[2], c[3], c[4]);
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
