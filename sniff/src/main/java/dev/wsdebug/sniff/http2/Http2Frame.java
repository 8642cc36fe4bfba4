package dev.wsdebug.sniff.http2;

/**
 * One HTTP/2 frame other than DATA (whose payload is streamed, see {@link FrameReader}): its header
 * fields and whole payload, padding included; {@code payload} is null when the frame was longer
 * than a reader keeps (its bytes were skipped).
 */
record Http2Frame(int type, int flags, int stream, int length, byte[] payload) {
    boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
