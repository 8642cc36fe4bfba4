package dev.wsdebug.capture.store;

import dev.wsdebug.wire.Direction;

import java.util.Arrays;

/**
 * The reads that were merged into one {@code chunks} row: where each read after the first starts
 * in the row's bytes, in which direction it went and when it arrived. A row holds consecutive
 * reads of one connection in both directions, in the order they happened (an echo alternates
 * directions at every read, so rows of one direction would stay small). A replay feeds the pieces
 * one by one with their own direction and time, so merging reads into fewer rows (what makes
 * recording cheap) changes neither the events nor their order or timing.
 *
 * <p>Encoding (the {@code times} column; NULL when the row is a single read, whose direction is
 * the row's {@code dir}): for each later read, an unsigned LEB128 varint of the distance in bytes
 * from the previous read's start shifted left by one, with the low bit set when the read is
 * server-to-client; then the time difference in microseconds from the previous read,
 * zigzag-encoded, as another varint.
 */
final class ReadTimes {
    private ReadTimes() {
    }

    /** Receives the pieces of a row, in order. */
    interface Pieces {
        void piece(Direction dir, int off, int len, long timeMicros);
    }

    /** Splits {@code bytes} at the recorded read boundaries; {@code times} may be null (one read). */
    static void split(byte[] bytes, Direction firstDir, long firstMicros, byte[] times, Pieces out) {
        int start = 0;
        long t = firstMicros;
        Direction dir = firstDir;
        if (times != null) {
            int[] pos = {0};
            while (pos[0] < times.length) {
                long v = readVarint(times, pos);
                long dt = zigzagDecode(readVarint(times, pos));
                int next = (int) Math.min(bytes.length, start + (v >>> 1));
                if (next > start) {
                    out.piece(dir, start, next - start, t);
                }
                start = next;
                t += dt;
                dir = (v & 1) != 0 ? Direction.S2C : Direction.C2S;
            }
        }
        if (bytes.length > start) {
            out.piece(dir, start, bytes.length - start, t);
        }
    }

    /** Accumulates the boundaries of one row while reads are appended to it. */
    static final class Builder {
        private byte[] buf = new byte[32];
        private int len;
        private int lastStart;
        private long lastMicros;

        /** Starts a new row whose first read arrived at {@code firstMicros}. */
        void reset(long firstMicros) {
            len = 0;
            lastStart = 0;
            lastMicros = firstMicros;
        }

        /** A read starting at {@code offset} of the row (after the first read). */
        void add(int offset, Direction dir, long timeMicros) {
            ensure(20);
            len = writeVarint(buf, len, ((long) (offset - lastStart) << 1) | (dir == Direction.S2C ? 1 : 0));
            len = writeVarint(buf, len, zigzagEncode(timeMicros - lastMicros));
            lastStart = offset;
            lastMicros = timeMicros;
        }

        /** The encoded boundaries, or null when the row is one read. */
        byte[] toBytes() {
            return len == 0 ? null : Arrays.copyOf(buf, len);
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }
    }

    static int writeVarint(byte[] b, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            b[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[pos++] = (byte) v;
        return pos;
    }

    static long readVarint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; shift < 64 && pos[0] < b.length; shift += 7) {
            byte x = b[pos[0]++];
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return v;
            }
        }
        return v;
    }

    static long zigzagEncode(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long zigzagDecode(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
