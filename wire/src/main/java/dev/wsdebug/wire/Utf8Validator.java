package dev.wsdebug.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Incremental UTF-8 validation (Unicode table 3-7, well-formed byte sequences): bytes may arrive in
 * any split, and the first invalid byte is reported by its position counted from the last reset.
 * Runs of ASCII are skipped eight bytes at a time.
 */
public final class Utf8Validator {
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private long position;
    private long sequenceStart;
    private int pending;
    private int low = 0x80;
    private int high = 0xBF;
    private long invalidAt = -1;

    /**
     * Validates the next bytes.
     *
     * @return position of the first invalid byte (counted from the last reset), or -1 if all bytes
     *         so far are valid or could still become valid
     */
    public long feed(byte[] b, int off, int len) {
        if (invalidAt >= 0) {
            position += len;
            return invalidAt;
        }
        int i = off;
        int end = off + len;
        while (i < end) {
            if (pending == 0) {
                while (i + 8 <= end && (((long) LONGS.get(b, i)) & HIGH_BITS) == 0) {
                    i += 8;
                }
                if (i == end) {
                    break;
                }
                int c = b[i] & 0xFF;
                if (c < 0x80) {
                    i++;
                    continue;
                }
                sequenceStart = position + (i - off);
                if (c >= 0xC2 && c <= 0xDF) {
                    pending = 1;
                } else if (c == 0xE0) {
                    pending = 2;
                    low = 0xA0;
                } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
                    pending = 2;
                } else if (c == 0xED) {
                    pending = 2;
                    high = 0x9F; // excludes the surrogates U+D800..U+DFFF
                } else if (c == 0xF0) {
                    pending = 3;
                    low = 0x90;
                } else if (c >= 0xF1 && c <= 0xF3) {
                    pending = 3;
                } else if (c == 0xF4) {
                    pending = 3;
                    high = 0x8F; // nothing above U+10FFFF
                } else {
                    return fail(position + (i - off), off, len);
                }
                i++;
            } else {
                int c = b[i] & 0xFF;
                if (c < low || c > high) {
                    return fail(position + (i - off), off, len);
                }
                pending--;
                low = 0x80;
                high = 0xBF;
                i++;
            }
        }
        position += len;
        return -1;
    }

    private long fail(long at, int off, int len) {
        invalidAt = at;
        position += len;
        return at;
    }

    /**
     * Ends the input (the message is complete).
     *
     * @return -1 if the whole input was valid UTF-8; otherwise the position of the first invalid
     *         byte, or of the lead byte of a sequence the input cut short
     */
    public long finish() {
        if (invalidAt < 0 && pending > 0) {
            invalidAt = sequenceStart;
        }
        return invalidAt;
    }

    /** Position of the first invalid byte seen so far, or -1. */
    public long invalidAt() {
        return invalidAt;
    }

    /** Bytes fed since the last reset. */
    public long position() {
        return position;
    }

    public void reset() {
        position = 0;
        sequenceStart = 0;
        pending = 0;
        low = 0x80;
        high = 0xBF;
        invalidAt = -1;
    }

    /** Whole-buffer check: -1 if valid, else the index of the first invalid byte relative to {@code off}. */
    public static long firstInvalid(byte[] b, int off, int len) {
        Utf8Validator v = new Utf8Validator();
        v.feed(b, off, len);
        return v.finish();
    }

    public static boolean isValid(byte[] b) {
        return firstInvalid(b, 0, b.length) < 0;
    }
}
