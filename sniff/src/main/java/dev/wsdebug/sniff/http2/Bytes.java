package dev.wsdebug.sniff.http2;

/** Big-endian fields of frame payloads (network byte order, RFC 9113 1). */
final class Bytes {
    private Bytes() {
    }

    static int int32(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | b[off + 3] & 0xFF;
    }

    /** A stream identifier: 31 bits, the reserved bit ignored. */
    static int streamId(byte[] b, int off) {
        return int32(b, off) & 0x7FFF_FFFF;
    }
}
