package dev.wsdebug.capture;

import dev.wsdebug.capture.decode.Decoded;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

/**
 * A complete data message; it follows the frame event of the frame that completed it.
 *
 * @param seq     the seq of that completing frame
 * @param decoded what the application protocol on top says (Socket.IO, STOMP, JSON…), or null when
 *                no decoder looked at it (schema v1 addition: the {@code decoded} field)
 */
public record MessageEvent(String conn, long timeMicros, Direction dir, long seq, Message message, Decoded decoded)
        implements Event {

    public MessageEvent(String conn, long timeMicros, Direction dir, long seq, Message message) {
        this(conn, timeMicros, dir, seq, message, null);
    }

    /** This event with the application protocol's reading of its message. */
    public MessageEvent withDecoded(Decoded d) {
        return new MessageEvent(conn, timeMicros, dir, seq, message, d);
    }

    @Override
    public String name() {
        return "message";
    }
}
