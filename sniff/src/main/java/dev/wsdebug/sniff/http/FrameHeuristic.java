package dev.wsdebug.sniff.http;

/**
 * Recognises WebSocket frames in a connection whose handshake was not captured, from the first
 * bytes one side sent: consecutive frame headers that make sense (a known opcode, no reserved
 * bits but RSV1 on data frames, control frames final and short, the same masking on every frame,
 * lengths in the shortest encoding) and that end exactly where the bytes end or where another
 * plausible header begins. Masked frames come from the client (RFC 6455 5.1).
 */
public final class FrameHeuristic {
    /** The verdict on one side's first bytes. */
    public enum Verdict {
        /** Frames, masked: this side is the client. */
        CLIENT_FRAMES,
        /** Frames, not masked: this side is the server. */
        SERVER_FRAMES,
        /** Not WebSocket frames. */
        NOT_FRAMES,
        /** Too few bytes to tell. */
        UNDECIDED
    }

    /** Frames that must parse before bytes count as WebSocket (one is too easy to meet by chance). */
    private static final int FRAMES_NEEDED = 2;

    private FrameHeuristic() {
    }

    /**
     * @param complete whether no more bytes will come to help decide (the side ended, or enough
     *                 were seen): then one whole frame that ends exactly with the bytes is enough
     */
    public static Verdict judge(byte[] b, int off, int len, boolean complete) {
        int i = off;
        int end = off + len;
        int frames = 0;
        Boolean masked = null;
        while (i < end) {
            if (end - i < 2) {
                return frames >= FRAMES_NEEDED ? verdict(masked) : complete ? Verdict.NOT_FRAMES : Verdict.UNDECIDED;
            }
            int b0 = b[i] & 0xFF;
            int b1 = b[i + 1] & 0xFF;
            int opcode = b0 & 0x0F;
            boolean data = opcode == 1 || opcode == 2 || opcode == 0;
            boolean control = opcode == 8 || opcode == 9 || opcode == 10;
            if ((b0 & 0x30) != 0 || !(data || control) || (b0 & 0x40) != 0 && !data) {
                return Verdict.NOT_FRAMES;
            }
            boolean m = (b1 & 0x80) != 0;
            if (masked != null && masked != m) {
                return Verdict.NOT_FRAMES;
            }
            masked = m;
            int len7 = b1 & 0x7F;
            if (control && ((b0 & 0x80) == 0 || len7 > 125)) {
                return Verdict.NOT_FRAMES;
            }
            int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (m ? 4 : 0);
            if (end - i < header) {
                return frames >= FRAMES_NEEDED ? verdict(masked) : complete ? Verdict.NOT_FRAMES : Verdict.UNDECIDED;
            }
            long length = len7;
            if (len7 == 126) {
                length = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
                if (length < 126) {
                    return Verdict.NOT_FRAMES;
                }
            } else if (len7 == 127) {
                length = 0;
                for (int k = 2; k < 10; k++) {
                    length = (length << 8) | (b[i + k] & 0xFF);
                }
                if (length <= 0xFFFF || length > (1L << 32)) {
                    return Verdict.NOT_FRAMES;
                }
            }
            if (end - i - header < length) {
                // a frame larger than what has come: plausible so far
                return frames + 1 >= FRAMES_NEEDED || complete && frames + 1 >= 1 && i == off
                        ? verdict(masked) : Verdict.UNDECIDED;
            }
            i += header + (int) length;
            frames++;
        }
        return frames >= FRAMES_NEEDED || complete && frames >= 1 ? verdict(masked) : Verdict.UNDECIDED;
    }

    private static Verdict verdict(Boolean masked) {
        return masked ? Verdict.CLIENT_FRAMES : Verdict.SERVER_FRAMES;
    }
}
