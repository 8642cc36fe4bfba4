package dev.wsdebug.sniff.tls;

/**
 * Cuts one direction's byte stream into TLS records, however the bytes were split into feeds.
 * Whole records in a feed are passed on in place; only a record that spans feeds is copied, into
 * a buffer no bigger than the largest legal record.
 */
final class RecordReader {
    /** Largest fragment of a protected record: 2^14 plus the 2048 bytes RFC 5246 6.2.3 allows for expansion. */
    static final int MAX_FRAGMENT = (1 << 14) + 2048;
    static final int HEADER = 5;

    interface Sink {
        void record(int type, int version, byte[] b, int off, int len, long packet, long timeNanos);
    }

    private final Sink sink;
    private byte[] partial = new byte[HEADER];
    private int have;
    /** Fragment length of the partial record once its header is complete, else -1. */
    private int need = -1;
    private long offset;
    private String problem;

    RecordReader(Sink sink) {
        this.sink = sink;
    }

    /**
     * Reads more bytes.
     *
     * @return null, or why the bytes are not TLS records (then nothing more is read)
     */
    String feed(byte[] b, int off, int len, long packet, long timeNanos) {
        int end = off + len;
        int i = off;
        while (i < end && problem == null) {
            if (have == 0 && end - i >= HEADER) {
                int length = check(b, i);
                if (length < 0) {
                    break;
                }
                if (end - i - HEADER >= length) {
                    offset += HEADER + length;
                    sink.record(b[i] & 0xFF, (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF), b, i + HEADER, length, packet, timeNanos);
                    i += HEADER + length;
                    continue;
                }
            }
            if (have < HEADER) {
                int n = Math.min(HEADER - have, end - i);
                System.arraycopy(b, i, partial, have, n);
                have += n;
                i += n;
                if (have < HEADER) {
                    break;
                }
                need = check(partial, 0);
                if (need < 0) {
                    break;
                }
                if (partial.length < HEADER + need) {
                    byte[] grown = new byte[HEADER + need];
                    System.arraycopy(partial, 0, grown, 0, HEADER);
                    partial = grown;
                }
            }
            int n = Math.min(HEADER + need - have, end - i);
            System.arraycopy(b, i, partial, have, n);
            have += n;
            i += n;
            if (have == HEADER + need) {
                offset += have;
                have = 0;
                int length = need;
                need = -1;
                sink.record(partial[0] & 0xFF, (partial[1] & 0xFF) << 8 | (partial[2] & 0xFF), partial, HEADER, length,
                        packet, timeNanos);
            }
        }
        return problem;
    }

    /** The fragment length of the header at b[i], or -1 (with {@link #problem} set) when it is no TLS record header. */
    private int check(byte[] b, int i) {
        int type = b[i] & 0xFF;
        int major = b[i + 1] & 0xFF;
        int minor = b[i + 2] & 0xFF;
        int length = (b[i + 3] & 0xFF) << 8 | (b[i + 4] & 0xFF);
        if (type < 20 || type > 24) {
            problem = "byte " + offset + " starts no TLS record (content type " + type + ", where TLS has 20 to 24)";
        } else if (major != 3 || minor > 4) {
            problem = "byte " + offset + " starts no TLS record (version " + major + "." + minor + ")";
        } else if (length > MAX_FRAGMENT) {
            problem = "the record at byte " + offset + " claims " + length + " bytes, more than TLS allows ("
                    + MAX_FRAGMENT + ")";
        } else {
            return length;
        }
        return -1;
    }
}
