package dev.wsdebug.sniff.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Block cipher (CBC) record protection of SSL 3.0 to TLS 1.2. MAC-then-encrypt by default:
 * content + MAC + padding, encrypted; encrypt-then-MAC when the extension was negotiated (RFC
 * 7366): the MAC covers the ciphertext instead. TLS 1.1 and 1.2 send each record's IV in front of
 * it; SSL 3.0 and TLS 1.0 chain it (the last ciphertext block of a record is the next one's IV).
 * SSL 3.0 has its own MAC (RFC 6101 5.2.3.1) and only requires the last padding byte to be sane.
 */
final class CbcRecordCipher implements RecordCipher {
    private final Cipher cipher;
    private final SecretKeySpec key;
    private final int blockSize;
    private final int macLength;
    private final boolean explicitIv;
    private final boolean ssl3;
    private final boolean encryptThenMac;
    private final Mac mac;
    private final MessageDigest ssl3Digest;
    private final byte[] macKey;
    private final byte[] header = new byte[13];
    private byte[] chainedIv;
    private byte[] out = new byte[256];
    private long sequence;

    CbcRecordCipher(CipherSuite suite, int version, byte[] macKey, byte[] key, byte[] iv, boolean encryptThenMac)
            throws GeneralSecurityException {
        boolean des = suite.bulk == CipherSuite.Bulk.TRIPLE_DES_CBC;
        this.cipher = Cipher.getInstance(des ? "DESede/CBC/NoPadding" : "AES/CBC/NoPadding");
        this.key = new SecretKeySpec(key, des ? "DESede" : "AES");
        this.blockSize = suite.blockSize();
        this.macLength = suite.macLength;
        this.explicitIv = version >= Versions.TLS11;
        this.ssl3 = version == Versions.SSL3;
        this.encryptThenMac = encryptThenMac && !ssl3;
        this.chainedIv = iv.clone();
        this.macKey = macKey.clone();
        if (ssl3) {
            this.mac = null;
            this.ssl3Digest = MessageDigest.getInstance(suite.mac.equals("HmacSHA1") ? "SHA-1" : "MD5");
        } else {
            this.mac = Mac.getInstance(suite.mac);
            this.mac.init(new SecretKeySpec(macKey, suite.mac));
            this.ssl3Digest = null;
        }
    }

    @Override
    public Plaintext open(int type, int version, byte[] b, int off, int len) {
        try {
            return encryptThenMac ? openEncryptThenMac(type, version, b, off, len) : openMacThenEncrypt(type, version, b, off, len);
        } catch (GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    private Plaintext openEncryptThenMac(int type, int version, byte[] b, int off, int len)
            throws GeneralSecurityException {
        int sealed = len - macLength;
        if (sealed < blockSize * (explicitIv ? 2 : 1) || sealed % blockSize != 0) {
            return null;
        }
        byte[] expected = tlsMac(type, version, b, off, sealed);
        if (!MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(b, off + sealed, off + len))) {
            return null;
        }
        int n = decrypt(b, off, sealed);
        int padding = out[n - 1] & 0xFF;
        if (padding + 1 > n || !paddingValid(n, padding)) {
            return null;
        }
        commit(b, off, sealed);
        return new Plaintext(type, out, 0, n - padding - 1);
    }

    private Plaintext openMacThenEncrypt(int type, int version, byte[] b, int off, int len)
            throws GeneralSecurityException {
        if (len % blockSize != 0 || len < blockSize * (explicitIv ? 2 : 1)) {
            return null;
        }
        int n = decrypt(b, off, len);
        int padding = out[n - 1] & 0xFF;
        int content = n - padding - 1 - macLength;
        if (content < 0 || (ssl3 ? padding >= blockSize : !paddingValid(n, padding))) {
            return null;
        }
        byte[] expected = ssl3 ? ssl3Mac(type, out, 0, content) : tlsMac(type, version, out, 0, content);
        if (!MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(out, content, content + macLength))) {
            return null;
        }
        commit(b, off, len);
        return new Plaintext(type, out, 0, content);
    }

    /** Decrypts the record's ciphertext (after its explicit IV, if any) into {@link #out}; returns its length. */
    private int decrypt(byte[] b, int off, int len) throws GeneralSecurityException {
        byte[] iv;
        int start = off;
        int length = len;
        if (explicitIv) {
            iv = java.util.Arrays.copyOfRange(b, off, off + blockSize);
            start += blockSize;
            length -= blockSize;
        } else {
            iv = chainedIv;
        }
        if (out.length < length) {
            out = new byte[Math.max(length, out.length * 2)];
        }
        cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
        return cipher.doFinal(b, start, length, out, 0);
    }

    /** The record authenticated: count it and, for chained IVs, keep its last ciphertext block. */
    private void commit(byte[] b, int off, int ciphertextLength) {
        sequence++;
        if (!explicitIv) {
            chainedIv = java.util.Arrays.copyOfRange(b, off + ciphertextLength - blockSize, off + ciphertextLength);
        }
    }

    /** TLS padding: padding_length + 1 bytes that all hold padding_length. */
    private boolean paddingValid(int n, int padding) {
        for (int i = n - padding - 1; i < n; i++) {
            if ((out[i] & 0xFF) != padding) {
                return false;
            }
        }
        return true;
    }

    /** HMAC(MAC_write_key, seq_num + type + version + length + data) (RFC 5246 6.2.3.1). */
    private byte[] tlsMac(int type, int version, byte[] data, int off, int len) {
        RecordCipher.putLong(header, 0, sequence);
        header[8] = (byte) type;
        header[9] = (byte) (version >>> 8);
        header[10] = (byte) version;
        header[11] = (byte) (len >>> 8);
        header[12] = (byte) len;
        mac.update(header, 0, 13);
        mac.update(data, off, len);
        return mac.doFinal();
    }

    /** hash(MAC_write_secret + pad_2 + hash(MAC_write_secret + pad_1 + seq_num + type + length + content)). */
    private byte[] ssl3Mac(int type, byte[] data, int off, int len) {
        int padLength = macLength == 20 ? 40 : 48;
        byte[] pad1 = new byte[padLength];
        byte[] pad2 = new byte[padLength];
        java.util.Arrays.fill(pad1, (byte) 0x36);
        java.util.Arrays.fill(pad2, (byte) 0x5c);
        RecordCipher.putLong(header, 0, sequence);
        header[8] = (byte) type;
        header[9] = (byte) (len >>> 8);
        header[10] = (byte) len;
        ssl3Digest.update(macKey);
        ssl3Digest.update(pad1);
        ssl3Digest.update(header, 0, 11);
        ssl3Digest.update(data, off, len);
        byte[] inner = ssl3Digest.digest();
        ssl3Digest.update(macKey);
        ssl3Digest.update(pad2);
        ssl3Digest.update(inner);
        return ssl3Digest.digest();
    }
}
