package dev.wsdebug.wire;

/**
 * Everything {@link FrameWriter} needs to put one frame on the wire, valid or not.
 *
 * @param maskKey        the key to mask with, or null for an unmasked frame
 * @param lengthEncoding 7, 16 or 64 to force a length field width (even a non-minimal one), or 0 for
 *                       the shortest that fits
 */
public record FrameSpec(boolean fin, boolean rsv1, boolean rsv2, boolean rsv3, int opcode, Integer maskKey,
                        int lengthEncoding, byte[] payload) {

    public FrameSpec {
        if (opcode < 0 || opcode > 15) {
            throw new IllegalArgumentException("opcode must be 0-15");
        }
        if (lengthEncoding != 0 && lengthEncoding != 7 && lengthEncoding != 16 && lengthEncoding != 64) {
            throw new IllegalArgumentException("length encoding must be 0, 7, 16 or 64");
        }
        if (payload == null) {
            payload = new byte[0];
        }
    }

    /** A final, unmasked, uncompressed frame with the shortest length encoding. */
    public static FrameSpec of(int opcode, byte[] payload) {
        return new FrameSpec(true, false, false, false, opcode, null, 0, payload);
    }

    public FrameSpec withFin(boolean fin) {
        return new FrameSpec(fin, rsv1, rsv2, rsv3, opcode, maskKey, lengthEncoding, payload);
    }

    public FrameSpec withRsv(boolean rsv1, boolean rsv2, boolean rsv3) {
        return new FrameSpec(fin, rsv1, rsv2, rsv3, opcode, maskKey, lengthEncoding, payload);
    }

    public FrameSpec withMask(Integer maskKey) {
        return new FrameSpec(fin, rsv1, rsv2, rsv3, opcode, maskKey, lengthEncoding, payload);
    }

    public FrameSpec withLengthEncoding(int lengthEncoding) {
        return new FrameSpec(fin, rsv1, rsv2, rsv3, opcode, maskKey, lengthEncoding, payload);
    }
}
