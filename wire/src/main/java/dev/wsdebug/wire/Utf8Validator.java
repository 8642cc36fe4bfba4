package dev.wsdebug.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Incremental UTF-8 validation: bytes may arrive in any split, and the first invalid byte is
 * reported by its position counted from the last reset.
 *
 * <p>A deterministic automaton over byte classes encodes the well-formed sequences of Unicode
 * table 3-7 (no overlongs, no surrogates, nothing above U+10FFFF): one table lookup per byte, with
 * runs of ASCII skipped eight bytes at a time.
 */
public final class Utf8Validator {
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private static final int ACCEPT = 0;
    private static final int REJECT = 1;
    private static final int CLASSES = 12;

    /**
     * Byte classes: 0 ASCII, 1 80-8F, 2 90-9F, 3 A0-BF, 4 never valid (C0, C1, F5-FF), 5 C2-DF,
     * 6 E0, 7 E1-EC and EE-EF, 8 ED, 9 F0, 10 F1-F3, 11 F4.
     */
    private static final byte[] CLASS = new byte[256];

    /**
     * State x class to next state. States: 0 accept, 1 reject, 2 one continuation byte left,
     * 3 two left, 4 after E0 (next A0-BF), 5 after ED (next 80-9F), 6 after F0 (next 90-BF),
     * 7 after F1-F3 (next 80-BF, then two), 8 after F4 (next 80-8F).
     */
    private static final byte[] NEXT = new byte[9 * CLASSES];

    static {
        for (int c = 0; c < 256; c++) {
            int k;
            if (c < 0x80) {
                k = 0;
            } else if (c < 0x90) {
                k = 1;
            } else if (c < 0xA0) {
                k = 2;
            } else if (c < 0xC0) {
                k = 3;
            } else if (c < 0xC2 || c > 0xF4) {
                k = 4;
            } else if (c < 0xE0) {
                k = 5;
            } else if (c == 0xE0) {
                k = 6;
            } else if (c == 0xED) {
                k = 8;
            } else if (c < 0xF0) {
                k = 7;
            } else if (c == 0xF0) {
                k = 9;
            } else if (c < 0xF4) {
                k = 10;
            } else {
                k = 11;
            }
            CLASS[c] = (byte) k;
        }
        java.util.Arrays.fill(NEXT, (byte) REJECT);
        set(ACCEPT, 0, ACCEPT);
        set(ACCEPT, 5, 2);
        set(ACCEPT, 6, 4);
        set(ACCEPT, 7, 3);
        set(ACCEPT, 8, 5);
        set(ACCEPT, 9, 6);
        set(ACCEPT, 10, 7);
        set(ACCEPT, 11, 8);
        for (int k = 1; k <= 3; k++) {
            set(2, k, ACCEPT);
            set(3, k, 2);
            set(7, k, 3);
        }
        set(4, 3, 2);
        set(5, 1, 2);
        set(5, 2, 2);
        set(6, 2, 3);
        set(6, 3, 3);
        set(8, 1, 3);
    }

    private static void set(int state, int cls, int next) {
        NEXT[state * CLASSES + cls] = (byte) next;
    }

    private long position;
    private long sequenceStart;
    private int state = ACCEPT;
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
        int s = state;
        int lead = -1;
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = b[i];
            if (s == ACCEPT) {
                if (c >= 0) {
                    // after an ASCII byte, skip the rest of an ASCII run eight bytes at a time
                    i++;
                    while (i + 8 <= end && (((long) LONGS.get(b, i)) & HIGH_BITS) == 0) {
                        i += 8;
                    }
                    continue;
                }
                lead = i;
            }
            s = NEXT[s * CLASSES + CLASS[c & 0xFF]];
            if (s == REJECT) {
                invalidAt = position + (i - off);
                position += len;
                return invalidAt;
            }
            i++;
        }
        if (lead >= 0) {
            sequenceStart = position + (lead - off);
        }
        state = s;
        position += len;
        return -1;
    }

    /**
     * Ends the input (the message is complete).
     *
     * @return -1 if the whole input was valid UTF-8; otherwise the position of the first invalid
     *         byte, or of the lead byte of a sequence the input cut short
     */
    public long finish() {
        if (invalidAt < 0 && state != ACCEPT) {
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
        state = ACCEPT;
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
