package dev.wsdebug.capture;

import dev.wsdebug.wire.CloseCodes;

/**
 * How the connection ended.
 *
 * @param code      the close code: from the first close frame, or 1005 (close frame without a code) or
 *                  1006 (no close frame at all), which are set locally
 * @param onWire    whether the code was carried by a close frame
 * @param initiator "client", "server" or "none" (the connection dropped without a close frame)
 * @param clean     whether both sides sent close frames
 */
public record CloseEvent(String conn, long timeMicros, int code, String reason, boolean onWire, String initiator,
                         boolean clean) implements Event {
    @Override
    public String name() {
        return "close";
    }

    public String codeName() {
        return CloseCodes.name(code);
    }
}
