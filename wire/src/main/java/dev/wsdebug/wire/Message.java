package dev.wsdebug.wire;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A complete data message: its frames joined and, if compressed, inflated.
 *
 * @param opcode         {@link Opcode#TEXT} or {@link Opcode#BINARY}
 * @param frames         number of data frames that carried it
 * @param compressed     whether RSV1 marked it as permessage-deflate compressed
 * @param wireLength     payload bytes on the wire, summed over its frames (headers excluded)
 * @param length         decoded length: after inflation when compressed
 * @param payload        the decoded payload, at most the assembler's retention cap
 * @param truncated      whether {@code payload} holds less than {@code length} bytes
 * @param sha256         hex SHA-256 of the full decoded payload when truncated, else null
 * @param utf8InvalidAt  for text: position of the first invalid UTF-8 byte in the decoded payload,
 *                       or -1 when valid; always -1 for binary
 * @param firstOffset    stream offset of the first frame's header
 * @param violations     rules the message broke (invalid UTF-8, corrupt deflate stream, a size limit)
 * @param inflateStopped whether inflation stopped at a limit before the end of the compressed payload:
 *                       then {@code length} counts only what was inflated, and {@code sha256} is null
 * @param missing        payload bytes on the wire that were not captured (a packet capture with a lost
 *                       segment); when positive, {@code payload} holds only what came before the first
 *                       hole, {@code sha256} is null and the UTF-8 check covers only that part
 */
public record Message(int opcode, int frames, boolean compressed, long wireLength, long length, byte[] payload,
                      boolean truncated, String sha256, long utf8InvalidAt, long firstOffset,
                      List<Violation> violations, boolean inflateStopped, long missing) {

    public Message(int opcode, int frames, boolean compressed, long wireLength, long length, byte[] payload,
                   boolean truncated, String sha256, long utf8InvalidAt, long firstOffset, List<Violation> violations) {
        this(opcode, frames, compressed, wireLength, length, payload, truncated, sha256, utf8InvalidAt, firstOffset,
                violations, false, 0);
    }

    public boolean isText() {
        return opcode == Opcode.TEXT;
    }

    public String type() {
        return Opcode.name(opcode);
    }

    /** The payload as text, malformed UTF-8 replaced by U+FFFD. */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
