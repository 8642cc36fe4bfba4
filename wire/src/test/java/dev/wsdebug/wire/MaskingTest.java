package dev.wsdebug.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 6455 5.3 masking, including pieces that start anywhere in the payload. */
class MaskingTest {

    private static byte[] keyBytes(int key) {
        return new byte[] {(byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key};
    }

    @Test
    void rfcExample() {
        byte[] masked = new byte[5];
        Masking.xor(Frames.utf8("Hello"), 0, masked, 0, 5, 0x37fa213d, 0);
        assertThat(masked).isEqualTo(Frames.hex("7f 9f 4d 51 58"));
    }

    @Test
    void matchesTheRfcFormulaForAnyOffsetLengthAndPosition() {
        Random r = new Random(53);
        for (int run = 0; run < 5000; run++) {
            int len = r.nextInt(70);
            int key = r.nextInt();
            long pos = r.nextInt(4) == 0 ? (1L << 33) + r.nextInt(16) : r.nextInt(16);
            byte[] src = new byte[len + 20];
            r.nextBytes(src);
            int srcOff = r.nextInt(10);
            int dstOff = r.nextInt(10);
            byte[] dst = new byte[len + 20];
            r.nextBytes(dst);
            byte[] before = dst.clone();
            Masking.xor(src, srcOff, dst, dstOff, len, key, pos);
            byte[] k = keyBytes(key);
            for (int i = 0; i < len; i++) {
                // j = (payload position) MOD 4
                byte expected = (byte) (src[srcOff + i] ^ k[(int) ((pos + i) % 4)]);
                assertThat(dst[dstOff + i]).as("run %d byte %d", run, i).isEqualTo(expected);
            }
            // nothing outside the range is touched
            assertThat(Arrays.copyOfRange(dst, 0, dstOff)).isEqualTo(Arrays.copyOfRange(before, 0, dstOff));
            assertThat(Arrays.copyOfRange(dst, dstOff + len, dst.length))
                    .isEqualTo(Arrays.copyOfRange(before, dstOff + len, before.length));
        }
    }

    @Test
    void inPlaceAndInPiecesEqualsWhole() {
        Random r = new Random(54);
        byte[] payload = new byte[1000];
        r.nextBytes(payload);
        int key = r.nextInt();
        byte[] whole = new byte[payload.length];
        Masking.xor(payload, 0, whole, 0, payload.length, key, 0);
        byte[] pieces = payload.clone();
        int p = 0;
        while (p < pieces.length) {
            int n = Math.min(pieces.length - p, 1 + r.nextInt(20));
            Masking.xor(pieces, p, pieces, p, n, key, p);
            p += n;
        }
        assertThat(pieces).isEqualTo(whole);
        // and masking twice gives the payload back
        Masking.xor(whole, 0, whole, 0, whole.length, key, 0);
        assertThat(whole).isEqualTo(payload);
    }

    @Test
    void keyHex() {
        assertThat(Masking.keyHex(0x37fa213d)).isEqualTo("37fa213d");
        assertThat(Masking.keyHex(0)).isEqualTo("00000000");
        assertThat(Masking.keyHex(0xff000001)).isEqualTo("ff000001");
        Random r = new Random(55);
        for (int i = 0; i < 1000; i++) {
            int key = r.nextInt();
            assertThat(Masking.keyHex(key)).isEqualTo(String.format("%08x", key));
        }
    }
}
