package dev.wsdebug.wire;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One frame as it crossed the wire: every header field, where it sits in the stream, and the
 * rules it broke. The payload itself streams through {@link FrameListener#onFramePayload};
 * control frames (at most 125 bytes when valid) also keep theirs here.
 */
public final class Frame {
    private final long offset;
    private final boolean fin;
    private final boolean rsv1;
    private final boolean rsv2;
    private final boolean rsv3;
    private final int opcode;
    private final boolean masked;
    private final int maskKey;
    private final int headerLength;
    private final int lengthEncoding;
    private final long payloadLength;
    private List<Violation> violations = List.of();
    private byte[] controlPayload;

    Frame(long offset, boolean fin, boolean rsv1, boolean rsv2, boolean rsv3, int opcode, boolean masked,
          int maskKey, int headerLength, int lengthEncoding, long payloadLength) {
        this.offset = offset;
        this.fin = fin;
        this.rsv1 = rsv1;
        this.rsv2 = rsv2;
        this.rsv3 = rsv3;
        this.opcode = opcode;
        this.masked = masked;
        this.maskKey = maskKey;
        this.headerLength = headerLength;
        this.lengthEncoding = lengthEncoding;
        this.payloadLength = payloadLength;
    }

    /**
     * A frame rebuilt from a stored record (a capture file read back without its raw bytes): every
     * header field, the control payload and the violations as they were recorded.
     */
    public static Frame restore(long offset, boolean fin, boolean rsv1, boolean rsv2, boolean rsv3, int opcode,
                                boolean masked, int maskKey, int headerLength, int lengthEncoding, long payloadLength,
                                byte[] controlPayload, List<Violation> violations) {
        Frame f = new Frame(offset, fin, rsv1, rsv2, rsv3, opcode, masked, maskKey, headerLength, lengthEncoding,
                payloadLength);
        f.controlPayload = controlPayload;
        if (!violations.isEmpty()) {
            f.violations = new ArrayList<>(violations);
        }
        return f;
    }

    /** Stream offset of the frame's first header byte. */
    public long offset() {
        return offset;
    }

    /** Stream offset of the frame's first payload byte. */
    public long payloadOffset() {
        return offset + headerLength;
    }

    public boolean fin() {
        return fin;
    }

    public boolean rsv1() {
        return rsv1;
    }

    public boolean rsv2() {
        return rsv2;
    }

    public boolean rsv3() {
        return rsv3;
    }

    public int opcode() {
        return opcode;
    }

    public String type() {
        return Opcode.name(opcode);
    }

    public boolean isControl() {
        return Opcode.isControl(opcode);
    }

    public boolean masked() {
        return masked;
    }

    /** The masking key, first key byte in the high bits; 0 when the frame is not masked. */
    public int maskKey() {
        return maskKey;
    }

    /** Header bytes: 2, plus 2 or 8 for an extended length, plus 4 for a mask key. */
    public int headerLength() {
        return headerLength;
    }

    /** Width of the payload length field in bits: 7, 16 or 64. */
    public int lengthEncoding() {
        return lengthEncoding;
    }

    public long payloadLength() {
        return payloadLength;
    }

    /** Header plus payload length (saturated: a 64-bit length near 2^63 must not turn negative). */
    public long wireLength() {
        long n = headerLength + payloadLength;
        return n < 0 ? Long.MAX_VALUE : n;
    }

    public List<Violation> violations() {
        return Collections.unmodifiableList(violations);
    }

    public boolean hasViolation(String rule) {
        for (Violation v : violations) {
            if (v.rule().equals(rule)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records a broken rule on this frame. Public so that later stages (message assembly, an
     * endpoint) can attach what they find to the frame that carried it.
     */
    public void addViolation(Violation v) {
        if (violations.isEmpty()) {
            violations = new ArrayList<>(2);
        }
        violations.add(v);
    }

    /** The unmasked payload of a control frame, complete once the frame has ended; null for data frames. */
    public byte[] controlPayload() {
        return controlPayload;
    }

    void controlPayload(byte[] payload) {
        this.controlPayload = payload;
    }

    /** Close code of a close frame with at least two payload bytes, else -1. */
    public int closeCode() {
        if (opcode != Opcode.CLOSE || controlPayload == null || controlPayload.length < 2) {
            return -1;
        }
        return ((controlPayload[0] & 0xFF) << 8) | (controlPayload[1] & 0xFF);
    }

    /** Close reason of a close frame (malformed UTF-8 replaced), else null. */
    public String closeReason() {
        if (closeCode() < 0) {
            return null;
        }
        return new String(controlPayload, 2, controlPayload.length - 2, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return type() + (fin ? " fin" : "") + (rsv1 ? " rsv1" : "") + " len=" + payloadLength + " @" + offset;
    }
}
