package dev.wsdebug.sniff.pcap;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The capture stream and how far into it the reader is: error messages name byte offsets, and a
 * stream gives no other way to know them. Reads are exact-or-short so that the readers can tell
 * a clean end (nothing left at a boundary) from a cut (part of a header or block left).
 */
final class CaptureInput {
    private final InputStream in;
    private long offset;
    /** Only for skipping: InputStream.skip may skip past the end of a file without saying so. */
    private byte[] discard;

    CaptureInput(InputStream in, long offset) {
        this.in = in;
        this.offset = offset;
    }

    /** Bytes consumed from the start of the capture. */
    long offset() {
        return offset;
    }

    /** Reads {@code n} bytes into {@code b}, fewer only at the end of the stream; returns how many. */
    int read(byte[] b, int off, int n) throws IOException {
        int got = in.readNBytes(b, off, n);
        offset += got;
        return got;
    }

    /**
     * The next {@code n} bytes, fewer at the end of the stream. Memory grows with the bytes that
     * actually arrive, not with {@code n}, so a damaged length cannot allocate gigabytes.
     */
    byte[] read(int n) throws IOException {
        if (n <= EXACT_READ) {
            // the common case (a packet, a block): one array of the right size, filled in place;
            // InputStream.readNBytes(int) would collect it in 8 KiB pieces and copy them again
            byte[] b = new byte[n];
            int got = in.readNBytes(b, 0, n);
            offset += got;
            return got == n ? b : Arrays.copyOf(b, got);
        }
        byte[] b = in.readNBytes(n);
        offset += b.length;
        return b;
    }

    /** Lengths up to this are allocated before the bytes arrive: no more than a jumbo frame's worth. */
    private static final int EXACT_READ = 256 * 1024;

    /** Discards {@code n} bytes; returns how many there were (fewer at the end of the stream). */
    long skip(long n) throws IOException {
        if (discard == null) {
            discard = new byte[8192];
        }
        long left = n;
        while (left > 0) {
            int got = in.readNBytes(discard, 0, (int) Math.min(left, discard.length));
            offset += got;
            left -= got;
            if (got == 0) {
                break;
            }
        }
        return n - left;
    }

    void close() throws IOException {
        in.close();
    }
}
