package dev.wsdebug.capture;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

/**
 * A complete data message; it follows the frame event of the frame that completed it.
 *
 * @param seq the seq of that completing frame
 */
public record MessageEvent(String conn, long timeMicros, Direction dir, long seq, Message message) implements Event {
    @Override
    public String name() {
        return "message";
    }
}
