package dev.wsdebug.sniff.http2;

/**
 * One direction of an HTTP/2 connection, fed its bytes in any pieces: the 9-byte frame header of
 * RFC 9113 4.1, then the payload. DATA content is handed on as it arrives, its padding (6.1) left
 * out, so a large DATA frame needs no buffer and its bytes keep the packets they came in; other
 * frames are kept whole up to {@link #MAX_KEPT} bytes (longer ones are skipped and handed on
 * without payload). Never throws on any bytes: a frame that cannot be delimited stops the reader
 * with one sentence.
 */
final class FrameReader {
    /** Payload kept of a frame other than DATA: above any real SETTINGS_MAX_FRAME_SIZE use for headers. */
    static final int MAX_KEPT = 1 << 20;
    static final int HEADER_LENGTH = 9;

    /** Where frames go. */
    interface Listener {
        /** A whole frame other than DATA. */
        void frame(Http2Frame frame);

        /** DATA content of {@code stream}, padding excluded, in the order it came. */
        void data(int stream, byte[] b, int off, int len);

        /** The end of a DATA frame (after its padding): its flags carry END_STREAM. */
        void dataEnd(int stream, int flags);

        /** The frame layer cannot be followed any more (nothing more is read). */
        void broken(String sentence);
    }

    private enum State { HEADER, PAD_LENGTH, DATA, PADDING, PAYLOAD, SKIP, STOPPED }

    private final Listener listener;
    private final byte[] header = new byte[HEADER_LENGTH];
    private State state = State.HEADER;
    private int have;
    private int type;
    private int flags;
    private int stream;
    private int length;
    /** Bytes left of the current part (DATA content, padding, payload, skipped payload). */
    private int remaining;
    private int padding;
    private byte[] payload;
    private long position;
    private long frameStart;

    FrameReader(Listener listener) {
        this.listener = listener;
    }

    /** Stops reading (the connection's frames cannot be followed); later bytes are ignored. */
    void stop() {
        state = State.STOPPED;
        payload = null;
    }

    boolean stopped() {
        return state == State.STOPPED;
    }

    /** Bytes read so far. */
    long position() {
        return position;
    }

    void feed(byte[] b, int off, int len) {
        int end = off + len;
        while (off < end && state != State.STOPPED) {
            int used = step(b, off, end - off);
            off += used;
            position += used;
        }
    }

    /** Consumes what the current state takes of the bytes; the count (0 only once stopped). */
    private int step(byte[] b, int off, int len) {
        switch (state) {
            case HEADER -> {
                int n = Math.min(len, HEADER_LENGTH - have);
                System.arraycopy(b, off, header, have, n);
                have += n;
                if (have == HEADER_LENGTH) {
                    have = 0;
                    frameStart = position + n - HEADER_LENGTH;
                    startFrame();
                }
                return n;
            }
            case PAD_LENGTH -> {
                padding = b[off] & 0xFF;
                if (padding > length - 1) {
                    broken("its padding (" + padding + " bytes) is longer than the frame");
                    return 1;
                }
                remaining = length - 1 - padding;
                state = State.DATA;
                if (remaining == 0) {
                    dataDone();
                }
                return 1;
            }
            case DATA -> {
                int n = Math.min(len, remaining);
                remaining -= n;
                listener.data(stream, b, off, n);
                if (remaining == 0 && state == State.DATA) {
                    dataDone();
                }
                return n;
            }
            case PADDING -> {
                int n = Math.min(len, remaining);
                remaining -= n;
                if (remaining == 0) {
                    endData();
                }
                return n;
            }
            case PAYLOAD -> {
                int n = Math.min(len, remaining);
                System.arraycopy(b, off, payload, length - remaining, n);
                remaining -= n;
                if (remaining == 0) {
                    deliver(payload);
                }
                return n;
            }
            case SKIP -> {
                int n = Math.min(len, remaining);
                remaining -= n;
                if (remaining == 0) {
                    deliver(null);
                }
                return n;
            }
            default -> {
                return len;
            }
        }
    }

    private void startFrame() {
        length = (header[0] & 0xFF) << 16 | (header[1] & 0xFF) << 8 | header[2] & 0xFF;
        type = header[3] & 0xFF;
        flags = header[4] & 0xFF;
        // the reserved bit is ignored on receipt (RFC 9113 4.1)
        stream = Bytes.streamId(header, 5);
        if (type == FrameType.DATA) {
            if ((flags & FrameType.FLAG_PADDED) != 0) {
                if (length == 0) {
                    broken("it is PADDED but has no Pad Length byte");
                    return;
                }
                state = State.PAD_LENGTH;
            } else {
                padding = 0;
                remaining = length;
                state = State.DATA;
                if (length == 0) {
                    dataDone();
                }
            }
            return;
        }
        remaining = length;
        if (length > MAX_KEPT) {
            state = State.SKIP;
        } else if (length == 0) {
            deliver(new byte[0]);
        } else {
            payload = new byte[length];
            state = State.PAYLOAD;
        }
    }

    private void dataDone() {
        if (padding > 0) {
            remaining = padding;
            state = State.PADDING;
        } else {
            endData();
        }
    }

    private void endData() {
        state = State.HEADER;
        listener.dataEnd(stream, flags);
    }

    private void deliver(byte[] p) {
        payload = null;
        state = State.HEADER;
        listener.frame(new Http2Frame(type, flags, stream, length, p));
    }

    private void broken(String why) {
        state = State.STOPPED;
        listener.broken(FrameType.name(type) + " frame at byte " + frameStart + " cannot be read: " + why);
    }
}
