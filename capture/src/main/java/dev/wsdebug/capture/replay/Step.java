package dev.wsdebug.capture.replay;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;

import java.nio.charset.StandardCharsets;

/**
 * One thing a recorded connection carried that a replay sends again or expects again: a data
 * message, a ping, or a close frame, with when it happened after the handshake.
 *
 * @param offsetMicros time since the handshake's response
 * @param opcode       {@link Opcode#TEXT}, {@link Opcode#BINARY}, {@link Opcode#PING}, {@link Opcode#CLOSE}, or
 *                     {@link #DROP} for a connection that ended there without a close frame
 * @param payload      the message (unmasked, inflated) or the ping's data; empty for a close
 * @param complete     false when the capture kept only part of the message
 * @param closeCode    for a close: its code, or -1 when the frame had none
 */
public record Step(Direction dir, long offsetMicros, int opcode, byte[] payload, boolean complete, int closeCode,
                   String closeReason) {

    /** Not an opcode: the recorded connection ended at this point without any close frame (1006). */
    public static final int DROP = -1;

    /** The end of a recorded connection that had no close frame either way, at this offset. */
    public static Step drop(Direction dir, long offsetMicros) {
        return new Step(dir, offsetMicros, DROP, new byte[0], true, -1, null);
    }

    public boolean isDrop() {
        return opcode == DROP;
    }

    public boolean isData() {
        return opcode == Opcode.TEXT || opcode == Opcode.BINARY;
    }

    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
