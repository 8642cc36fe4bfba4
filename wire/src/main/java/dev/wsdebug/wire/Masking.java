package dev.wsdebug.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * RFC 6455 section 5.3 masking. XOR is its own inverse, so the same call masks and unmasks.
 * Large payloads go eight bytes per step through a long view of the array; a byte loop only
 * handles the tail.
 */
public final class Masking {
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Masking() {
    }

    /**
     * XORs {@code len} bytes of {@code src} with the mask key into {@code dst} (which may be the
     * same array and offset).
     *
     * @param maskKey    the four key bytes, first byte in the high bits
     * @param payloadPos position of {@code src[srcOff]} within the frame payload, so that a frame
     *                   unmasked in pieces uses the right key byte for each piece
     */
    public static void xor(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int maskKey, long payloadPos) {
        int key = Integer.rotateLeft(maskKey, (int) (payloadPos & 3) * 8);
        long key64 = ((long) key << 32) | (key & 0xFFFFFFFFL);
        int i = 0;
        for (int end = len - 7; i < end; i += 8) {
            long v = (long) LONGS.get(src, srcOff + i);
            LONGS.set(dst, dstOff + i, v ^ key64);
        }
        for (; i < len; i++) {
            dst[dstOff + i] = (byte) (src[srcOff + i] ^ (key >>> (24 - 8 * (i & 3))));
        }
    }

    /** Formats a mask key as eight lower-case hex digits, as the event schema shows it. */
    public static String keyHex(int maskKey) {
        // by hand: String.format costs more than the rest of a frame's JSON line
        char[] c = new char[8];
        for (int i = 7; i >= 0; i--) {
            c[i] = HEX_DIGITS[maskKey & 0xF];
            maskKey >>>= 4;
        }
        return new String(c);
    }

    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();
}
