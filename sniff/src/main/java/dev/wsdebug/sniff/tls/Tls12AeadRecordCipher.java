package dev.wsdebug.sniff.tls;

import java.security.GeneralSecurityException;

/**
 * AEAD record protection of TLS 1.2: AES-GCM and AES-CCM with a 4-byte implicit salt and an
 * 8-byte explicit nonce leading each record (RFC 5288, RFC 6655), ChaCha20-Poly1305 with the IV
 * XOR the padded sequence number and no explicit part (RFC 7905). Additional data is seq_num +
 * type + version + plaintext length (RFC 5246 6.2.3.3).
 */
final class Tls12AeadRecordCipher implements RecordCipher {
    private final Aead aead;
    private final byte[] fixedIv;
    private final boolean explicitNonce;
    private final byte[] nonce = new byte[12];
    private final byte[] aad = new byte[13];
    private byte[] out = new byte[256];
    private long sequence;

    Tls12AeadRecordCipher(CipherSuite suite, byte[] key, byte[] fixedIv) throws GeneralSecurityException {
        this.aead = Aead.create(suite.bulk, key);
        this.fixedIv = fixedIv.clone();
        this.explicitNonce = suite.bulk != CipherSuite.Bulk.CHACHA20_POLY1305;
    }

    @Override
    public Plaintext open(int type, int version, byte[] b, int off, int len) {
        int start = off;
        int sealed = len;
        if (explicitNonce) {
            if (len < 8 + aead.tagLength) {
                return null;
            }
            System.arraycopy(fixedIv, 0, nonce, 0, 4);
            System.arraycopy(b, off, nonce, 4, 8);
            start += 8;
            sealed -= 8;
        } else {
            if (len < aead.tagLength) {
                return null;
            }
            System.arraycopy(fixedIv, 0, nonce, 0, 12);
            long s = sequence;
            for (int i = 11; i >= 4; i--) {
                nonce[i] ^= (byte) s;
                s >>>= 8;
            }
        }
        int plainLength = sealed - aead.tagLength;
        RecordCipher.putLong(aad, 0, sequence);
        aad[8] = (byte) type;
        aad[9] = (byte) (version >>> 8);
        aad[10] = (byte) version;
        aad[11] = (byte) (plainLength >>> 8);
        aad[12] = (byte) plainLength;
        if (out.length < sealed) {
            out = new byte[Math.max(sealed, out.length * 2)];
        }
        int n = aead.open(nonce, aad, b, start, sealed, out);
        if (n < 0) {
            return null;
        }
        sequence++;
        return new Plaintext(type, out, 0, n);
    }
}
