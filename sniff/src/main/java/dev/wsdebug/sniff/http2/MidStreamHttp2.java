package dev.wsdebug.sniff.http2;

/**
 * Recognises HTTP/2 in a connection whose start the capture missed (no preface): its first bytes
 * are consecutive frame headers that fit RFC 9113's rules for their type (stream 0 or not, fixed
 * lengths), at most the default SETTINGS_MAX_FRAME_SIZE long. Two whole frames in a row are needed,
 * since one 9-byte header can match by chance. Also tells which side a frame sequence comes from,
 * from what only one side sends.
 */
public final class MidStreamHttp2 {
    /** RFC 9113 4.2: the initial SETTINGS_MAX_FRAME_SIZE, which a capture cannot know was raised. */
    private static final int MAX_FRAME = 16_384;

    public enum Verdict { HTTP2, NOT_HTTP2, UNDECIDED }

    /** Who sent frames, as far as they show it. */
    public enum Sender { CLIENT, SERVER, UNKNOWN }

    private MidStreamHttp2() {
    }

    /** Whether the bytes start with HTTP/2 frames; UNDECIDED while they are a plausible start. */
    public static Verdict judge(byte[] b, int off, int len, boolean last) {
        int whole = 0;
        int i = 0;
        while (i + FrameReader.HEADER_LENGTH <= len) {
            int length = length(b, off + i);
            if (!plausible(b[off + i + 3] & 0xFF, length, Bytes.streamId(b, off + i + 5))) {
                return Verdict.NOT_HTTP2;
            }
            if (i + FrameReader.HEADER_LENGTH + length > len) {
                break;
            }
            i += FrameReader.HEADER_LENGTH + length;
            if (++whole >= 2) {
                return Verdict.HTTP2;
            }
        }
        return last ? Verdict.NOT_HTTP2 : Verdict.UNDECIDED;
    }

    /**
     * The side that sent these frames, if they show it: a PUSH_PROMISE, or HEADERS on an even stream
     * (a push answered), come from a server; a field block starting with a static-table request
     * pseudo-header (RFC 7541 appendix A: :authority, :method, :path, :scheme are entries 1-7) from a
     * client, with {@code :status} (8-14) from a server.
     */
    public static Sender sender(byte[] b, int off, int len) {
        int i = 0;
        while (i + FrameReader.HEADER_LENGTH <= len) {
            int length = length(b, off + i);
            int type = b[off + i + 3] & 0xFF;
            int flags = b[off + i + 4] & 0xFF;
            int stream = Bytes.streamId(b, off + i + 5);
            int payload = off + i + FrameReader.HEADER_LENGTH;
            if (type == FrameType.PUSH_PROMISE || type == FrameType.HEADERS && stream % 2 == 0 && stream != 0) {
                return Sender.SERVER;
            }
            if (type == FrameType.HEADERS && i + FrameReader.HEADER_LENGTH + length <= len) {
                int start = payload + ((flags & FrameType.FLAG_PADDED) != 0 ? 1 : 0)
                        + ((flags & FrameType.FLAG_PRIORITY) != 0 ? 5 : 0);
                int index = firstStaticIndex(b, start, payload + length);
                if (index >= 1 && index <= 7) {
                    return Sender.CLIENT;
                }
                if (index >= 8 && index <= 14) {
                    return Sender.SERVER;
                }
            }
            i += FrameReader.HEADER_LENGTH + length;
        }
        return Sender.UNKNOWN;
    }

    /** The static-table index (name or whole field) of a block's first field, or -1 (RFC 7541 6). */
    private static int firstStaticIndex(byte[] b, int i, int end) {
        while (i < end && (b[i] & 0xE0) == 0x20) {
            // a dynamic table size update: a 5-bit prefix, continued while its bytes have the high bit
            boolean more = (b[i] & 0x1F) == 0x1F;
            i++;
            while (more && i < end) {
                more = (b[i] & 0x80) != 0;
                i++;
            }
        }
        if (i >= end) {
            return -1;
        }
        int v = b[i] & 0xFF;
        if ((v & 0x80) != 0) {
            return v & 0x7F; // indexed field (7-bit prefix)
        }
        if ((v & 0xC0) == 0x40) {
            return v & 0x3F; // literal with incremental indexing (6-bit prefix)
        }
        return v & 0x0F; // literal without indexing or never indexed (4-bit prefix)
    }

    private static int length(byte[] b, int at) {
        return (b[at] & 0xFF) << 16 | (b[at + 1] & 0xFF) << 8 | b[at + 2] & 0xFF;
    }

    private static boolean plausible(int type, int length, int stream) {
        if (length > MAX_FRAME) {
            return false;
        }
        return switch (type) {
            case FrameType.DATA, FrameType.HEADERS, FrameType.CONTINUATION, FrameType.PUSH_PROMISE -> stream != 0;
            case FrameType.PRIORITY -> stream != 0 && length == 5;
            case FrameType.RST_STREAM -> stream != 0 && length == 4;
            case FrameType.SETTINGS -> stream == 0 && length % 6 == 0;
            case FrameType.PING -> stream == 0 && length == 8;
            case FrameType.GOAWAY -> stream == 0 && length >= 8;
            case FrameType.WINDOW_UPDATE -> length == 4;
            default -> false; // unknown types are legal, but not evidence
        };
    }
}
