package dev.wsdebug.sniff.tls;

import java.security.GeneralSecurityException;

/**
 * TLS 1.3 record protection from one traffic secret (RFC 8446 section 5.2 and 7.3): key and IV by
 * HKDF-Expand-Label "key" and "iv", nonce = IV XOR the padded sequence number, the record header
 * as additional data; the inner plaintext ends in the real content type and optional zero padding.
 */
final class Tls13RecordCipher implements RecordCipher {
    private final CipherSuite suite;
    /** The traffic secret, kept for the next one a KeyUpdate asks for. */
    final byte[] secret;
    private final Aead aead;
    private final byte[] iv;
    private final byte[] nonce = new byte[12];
    private final byte[] aad = new byte[5];
    private byte[] out = new byte[256];
    private long sequence;

    Tls13RecordCipher(CipherSuite suite, byte[] secret) throws GeneralSecurityException {
        this.suite = suite;
        this.secret = secret.clone();
        byte[] key = Hkdf.expandLabel(suite.prfHmac, secret, "key", new byte[0], suite.keyLength);
        this.iv = Hkdf.expandLabel(suite.prfHmac, secret, "iv", new byte[0], 12);
        this.aead = Aead.create(suite.bulk, key);
    }

    /** The protection after a KeyUpdate: application_traffic_secret_N+1 = HKDF-Expand-Label(N, "traffic upd", "", Hash.length). */
    Tls13RecordCipher next() throws GeneralSecurityException {
        return new Tls13RecordCipher(suite, Hkdf.expandLabel(suite.prfHmac, secret, "traffic upd", new byte[0],
                suite.hashLength()));
    }

    @Override
    public Plaintext open(int type, int version, byte[] b, int off, int len) {
        if (len <= aead.tagLength) {
            return null;
        }
        System.arraycopy(iv, 0, nonce, 0, 12);
        long s = sequence;
        for (int i = 11; i >= 4; i--) {
            nonce[i] ^= (byte) s;
            s >>>= 8;
        }
        aad[0] = (byte) type;
        aad[1] = (byte) (version >>> 8);
        aad[2] = (byte) version;
        aad[3] = (byte) (len >>> 8);
        aad[4] = (byte) len;
        if (out.length < len) {
            out = new byte[Math.max(len, out.length * 2)];
        }
        int n = aead.open(nonce, aad, b, off, len, out);
        if (n < 0) {
            return null;
        }
        sequence++;
        // TLSInnerPlaintext: content, the real type, then zeros (RFC 8446 5.4); all zeros is no record.
        int last = n - 1;
        while (last >= 0 && out[last] == 0) {
            last--;
        }
        if (last < 0) {
            return new Plaintext(0, out, 0, 0);
        }
        return new Plaintext(out[last] & 0xFF, out, 0, last);
    }
}
