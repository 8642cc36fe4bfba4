package dev.wsdebug.sniff.pcap;

/**
 * The byte order of a pcap file or pcapng section: the writer's own, which the magic number
 * tells. Header fields are read through it; packet bytes are never reordered.
 */
enum Endian {
    BIG, LITTLE;

    int u16(byte[] b, int off) {
        return this == BIG
                ? (b[off] & 0xFF) << 8 | b[off + 1] & 0xFF
                : (b[off + 1] & 0xFF) << 8 | b[off] & 0xFF;
    }

    int i32(byte[] b, int off) {
        return this == BIG
                ? (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | b[off + 3] & 0xFF
                : (b[off + 3] & 0xFF) << 24 | (b[off + 2] & 0xFF) << 16 | (b[off + 1] & 0xFF) << 8 | b[off] & 0xFF;
    }

    long u32(byte[] b, int off) {
        return i32(b, off) & 0xFFFF_FFFFL;
    }

    long i64(byte[] b, int off) {
        long first = u32(b, off);
        long second = u32(b, off + 4);
        return this == BIG ? first << 32 | second : second << 32 | first;
    }

    /** The order in which {@code b[off..off+4]} reads as {@code magic}, or null in neither. */
    static Endian of(int magic, byte[] b, int off) {
        if (BIG.i32(b, off) == magic) {
            return BIG;
        }
        if (LITTLE.i32(b, off) == magic) {
            return LITTLE;
        }
        return null;
    }
}
