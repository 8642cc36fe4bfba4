package dev.wsdebug.capture;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;

/**
 * One frame, complete.
 *
 * @param seq the frame's position in wire order across both directions, from 1
 */
public record FrameEvent(String conn, long timeMicros, Direction dir, long seq, Frame frame) implements Event {
    @Override
    public String name() {
        return "frame";
    }
}
