package dev.wsdebug.sniff.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-Expand (RFC 5869) and TLS 1.3's HKDF-Expand-Label (RFC 8446 section 7.1), the only key
 * derivation TLS 1.3 decryption needs once the key log gives the traffic secrets.
 */
final class Hkdf {
    private Hkdf() {
    }

    /** HKDF-Expand(PRK, info, L): T(i) = HMAC(PRK, T(i-1) + info + i), concatenated. */
    static byte[] expand(String hmac, byte[] prk, byte[] info, int length) throws GeneralSecurityException {
        Mac mac = Mac.getInstance(hmac);
        mac.init(new SecretKeySpec(prk, hmac));
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int filled = 0;
        for (int i = 1; filled < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - filled);
            System.arraycopy(t, 0, out, filled, n);
            filled += n;
        }
        return out;
    }

    /**
     * HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length)
     * with HkdfLabel = uint16 Length, opaque "tls13 " + Label &lt;7..255&gt;, opaque Context &lt;0..255&gt;.
     */
    static byte[] expandLabel(String hmac, byte[] secret, String label, byte[] context, int length)
            throws GeneralSecurityException {
        byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        byte[] info = new byte[2 + 1 + full.length + 1 + context.length];
        info[0] = (byte) (length >>> 8);
        info[1] = (byte) length;
        info[2] = (byte) full.length;
        System.arraycopy(full, 0, info, 3, full.length);
        info[3 + full.length] = (byte) context.length;
        System.arraycopy(context, 0, info, 4 + full.length, context.length);
        return expand(hmac, secret, info, length);
    }
}
