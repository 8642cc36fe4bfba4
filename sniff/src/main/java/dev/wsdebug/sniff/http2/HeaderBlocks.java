package dev.wsdebug.sniff.http2;

import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/**
 * Joins one direction's HEADERS or PUSH_PROMISE frame with the CONTINUATION frames that follow it
 * into one {@link HeaderBlock}, removing the Pad Length, padding, priority and promised-stream
 * fields (RFC 9113 6.2, 6.6, 6.10). Until END_HEADERS no other frame may come on the connection;
 * one that does breaks the frame layer, since the field block can no longer be decoded.
 */
final class HeaderBlocks {
    /** A joined field block larger than this is not kept (nor decoded). */
    static final int MAX_BLOCK = 1 << 20;

    private final Consumer<HeaderBlock> out;
    private ByteArrayOutputStream joined;
    private boolean tooLarge;
    private int type;
    private int stream;
    private int promised;
    private boolean endStream;

    HeaderBlocks(Consumer<HeaderBlock> out) {
        this.out = out;
    }

    /** Whether a field block is open (a CONTINUATION must come next). */
    boolean open() {
        return joined != null;
    }

    /**
     * A HEADERS, PUSH_PROMISE or CONTINUATION frame, or any other frame while a block is open;
     * returns null, or why the frame layer is broken.
     */
    String accept(Http2Frame f) {
        if (open() && (f.type() != FrameType.CONTINUATION || f.stream() != stream)) {
            return "a " + FrameType.name(f.type()) + " frame on stream " + f.stream() + " came before the CONTINUATION"
                    + " of stream " + stream + "'s field block";
        }
        if (f.type() == FrameType.CONTINUATION) {
            if (!open()) {
                return "a CONTINUATION frame on stream " + f.stream() + " follows no HEADERS or PUSH_PROMISE";
            }
            append(f.payload(), 0, f.payload() == null ? 0 : f.payload().length);
            return f.has(FrameType.FLAG_END_HEADERS) ? finish() : null;
        }
        if (f.stream() == 0) {
            return "a " + FrameType.name(f.type()) + " frame on stream 0";
        }
        type = f.type();
        stream = f.stream();
        promised = 0;
        endStream = f.type() == FrameType.HEADERS && f.has(FrameType.FLAG_END_STREAM);
        joined = new ByteArrayOutputStream();
        tooLarge = false;
        byte[] p = f.payload();
        if (p == null) {
            tooLarge = true;
        } else {
            String bad = first(f, p);
            if (bad != null) {
                joined = null;
                return bad;
            }
        }
        return f.has(FrameType.FLAG_END_HEADERS) ? finish() : null;
    }

    /** The fragment of the first frame, without its padding and the fields before the fragment. */
    private String first(Http2Frame f, byte[] p) {
        int start = 0;
        int pad = 0;
        if (f.has(FrameType.FLAG_PADDED)) {
            if (p.length < 1) {
                return "the " + FrameType.name(f.type()) + " frame of stream " + f.stream() + " is PADDED but empty";
            }
            pad = p[0] & 0xFF;
            start = 1;
        }
        if (f.type() == FrameType.HEADERS && f.has(FrameType.FLAG_PRIORITY)) {
            start += 5; // stream dependency (4) and weight (1), RFC 9113 6.2
        } else if (f.type() == FrameType.PUSH_PROMISE) {
            if (p.length >= start + 4) {
                promised = Bytes.streamId(p, start);
            }
            start += 4;
        }
        if (start + pad > p.length) {
            return "the " + FrameType.name(f.type()) + " frame of stream " + f.stream() + " is shorter ("
                    + p.length + " bytes) than its padding and fields";
        }
        append(p, start, p.length - pad - start);
        return null;
    }

    private void append(byte[] b, int off, int len) {
        if (b == null || joined.size() + (long) len > MAX_BLOCK) {
            tooLarge = true;
        }
        if (!tooLarge) {
            joined.write(b, off, len);
        }
    }

    private String finish() {
        byte[] fragment = tooLarge ? null : joined.toByteArray();
        joined = null;
        out.accept(new HeaderBlock(type, stream, promised, endStream, fragment));
        return null;
    }
}
