package dev.wsdebug.sniff.tcp;

/**
 * The last bytes delivered from one side, in a ring: what a retransmission of delivered bytes is
 * compared with to report a {@link TcpStreamHandler#conflict}. The handler's array is only valid
 * during its call, so the bytes have to be copied; the ring keeps that copy small and fixed.
 */
final class RecentBytes {
    private final byte[] ring;
    /** Stream offsets {@code [start, end)} held; offsets never go negative. */
    private long start;
    private long end;

    RecentBytes(int size, long offset) {
        ring = new byte[size];
        start = offset;
        end = offset;
    }

    long start() {
        return start;
    }

    /** Bytes delivered at stream offset {@code at}. */
    void add(long at, byte[] b, int off, int n) {
        if (at != end) {
            // After a gap the older bytes no longer neighbour the new ones: forget them.
            start = at;
        }
        int size = ring.length;
        if (n > size) {
            off += n - size;
            at += n - size;
            n = size;
        }
        int pos = (int) (at % size);
        int first = Math.min(n, size - pos);
        System.arraycopy(b, off, ring, pos, first);
        System.arraycopy(b, off + first, ring, 0, n - first);
        end = at + n;
        start = Math.max(start, end - size);
    }

    /** The stream went on without bytes (a gap) up to {@code at}. */
    void skipTo(long at) {
        start = at;
        end = at;
    }

    /**
     * Compares {@code b[bOff..]} with the remembered bytes over stream offsets {@code [from, to)}
     * (which must lie within {@code [start, end)}); returns {first, last} differing offsets or null.
     */
    long[] mismatch(long from, long to, byte[] b, int bOff) {
        int size = ring.length;
        long first = -1;
        long last = -1;
        for (long p = from; p < to; p++) {
            if (ring[(int) (p % size)] != b[bOff + (int) (p - from)]) {
                if (first < 0) {
                    first = p;
                }
                last = p;
            }
        }
        return first < 0 ? null : new long[] {first, last};
    }
}
