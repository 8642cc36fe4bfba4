package dev.wsdebug.wire;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * Encodes frames exactly as specified, including deliberately invalid ones (reserved opcodes,
 * non-minimal lengths, oversized control frames) for the test server and fault injection.
 */
public final class FrameWriter {
    /** Shared by every connection (SecureRandom is thread-safe): one per writer would cost each connection its own. */
    private static final SecureRandom SHARED_RANDOM = new SecureRandom();

    private final RandomGenerator random;

    /** A writer whose random mask keys come from a {@link SecureRandom}, as RFC 6455 10.3 asks. */
    public FrameWriter() {
        this(SHARED_RANDOM);
    }

    public FrameWriter(RandomGenerator random) {
        this.random = random;
    }

    /** A fresh, unpredictable masking key. */
    public int randomMaskKey() {
        return random.nextInt();
    }

    /** Header length for a payload of this size with the given encoding (0 = shortest) and masking. */
    public static int headerLength(long payloadLength, int lengthEncoding, boolean masked) {
        int enc = lengthEncoding != 0 ? lengthEncoding : shortestEncoding(payloadLength);
        return 2 + (enc == 16 ? 2 : enc == 64 ? 8 : 0) + (masked ? 4 : 0);
    }

    public static int shortestEncoding(long payloadLength) {
        return payloadLength <= 125 ? 7 : payloadLength <= 0xFFFF ? 16 : 64;
    }

    public byte[] encode(FrameSpec spec) {
        byte[] payload = spec.payload();
        boolean masked = spec.maskKey() != null;
        int head = headerLength(payload.length, spec.lengthEncoding(), masked);
        byte[] out = new byte[head + payload.length];
        write(spec, out, 0);
        return out;
    }

    /**
     * Writes the frame into {@code dst} at {@code off}.
     *
     * @return the number of bytes written
     */
    public int write(FrameSpec spec, byte[] dst, int off) {
        byte[] payload = spec.payload();
        int len = payload.length;
        int enc = spec.lengthEncoding() != 0 ? spec.lengthEncoding() : shortestEncoding(len);
        if (enc == 7 && len > 125 || enc == 16 && len > 0xFFFF) {
            throw new IllegalArgumentException(len + " bytes do not fit a " + enc + "-bit length");
        }
        int p = off;
        dst[p++] = (byte) ((spec.fin() ? 0x80 : 0) | (spec.rsv1() ? 0x40 : 0) | (spec.rsv2() ? 0x20 : 0)
                | (spec.rsv3() ? 0x10 : 0) | spec.opcode());
        int maskBit = spec.maskKey() != null ? 0x80 : 0;
        if (enc == 7) {
            dst[p++] = (byte) (maskBit | len);
        } else if (enc == 16) {
            dst[p++] = (byte) (maskBit | 126);
            dst[p++] = (byte) (len >>> 8);
            dst[p++] = (byte) len;
        } else {
            dst[p++] = (byte) (maskBit | 127);
            long l = len;
            for (int shift = 56; shift >= 0; shift -= 8) {
                dst[p++] = (byte) (l >>> shift);
            }
        }
        if (spec.maskKey() != null) {
            int key = spec.maskKey();
            dst[p++] = (byte) (key >>> 24);
            dst[p++] = (byte) (key >>> 16);
            dst[p++] = (byte) (key >>> 8);
            dst[p++] = (byte) key;
            Masking.xor(payload, 0, dst, p, len, key, 0);
        } else {
            System.arraycopy(payload, 0, dst, p, len);
        }
        return p + len - off;
    }

    /** A close frame payload: the code in network order followed by the UTF-8 reason. */
    public static byte[] closePayload(int code, String reason) {
        byte[] r = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return p;
    }
}
