package dev.wsdebug.capture;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;

/**
 * One frame, complete.
 *
 * @param seq     the frame's position in wire order across both directions, from 1
 * @param packets the capture's numbers of the packets that carried the frame, in order, when it was
 *                read from a packet capture; null otherwise (added to schema v1 as {@code packets})
 */
public record FrameEvent(String conn, long timeMicros, Direction dir, long seq, Frame frame, long[] packets)
        implements Event {

    public FrameEvent(String conn, long timeMicros, Direction dir, long seq, Frame frame) {
        this(conn, timeMicros, dir, seq, frame, null);
    }

    /** The same event, with the packets that carried it. */
    public FrameEvent withPackets(long[] numbers) {
        return new FrameEvent(conn, timeMicros, dir, seq, frame, numbers);
    }

    @Override
    public String name() {
        return "frame";
    }
}
