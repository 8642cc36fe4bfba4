package dev.wsdebug.capture.replay;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;

import java.nio.charset.StandardCharsets;

/**
 * One thing a recorded connection carried that a replay sends again or expects again: a data
 * message, a ping, or a close frame, with when it happened after the handshake.
 *
 * @param offsetMicros time since the handshake's response
 * @param opcode       {@link Opcode#TEXT}, {@link Opcode#BINARY}, {@link Opcode#PING} or {@link Opcode#CLOSE}
 * @param payload      the message (unmasked, inflated) or the ping's data; empty for a close
 * @param complete     false when the capture kept only part of the message
 * @param closeCode    for a close: its code, or -1 when the frame had none
 */
public record Step(Direction dir, long offsetMicros, int opcode, byte[] payload, boolean complete, int closeCode,
                   String closeReason) {

    public boolean isData() {
        return opcode == Opcode.TEXT || opcode == Opcode.BINARY;
    }

    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
