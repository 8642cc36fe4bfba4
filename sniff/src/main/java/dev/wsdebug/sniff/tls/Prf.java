package dev.wsdebug.sniff.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key expansion of SSL 3.0 to TLS 1.2: from the master secret (the key log's
 * {@code CLIENT_RANDOM} line) and both randoms to the key block the record keys are cut from.
 */
final class Prf {
    private Prf() {
    }

    /** key_block = PRF(master_secret, "key expansion", server_random + client_random) for the version. */
    static byte[] keyBlock(int version, String prfHmac, byte[] master, byte[] clientRandom, byte[] serverRandom,
                           int length) throws GeneralSecurityException {
        byte[] seed = concat(serverRandom, clientRandom);
        if (version == Versions.SSL3) {
            return ssl3(master, seed, length);
        }
        if (version < Versions.TLS12) {
            return tls10(master, "key expansion", seed, length);
        }
        return tls12(prfHmac, master, "key expansion", seed, length);
    }

    /** TLS 1.2 PRF (RFC 5246 section 5): P_hash(secret, label + seed) with the suite's hash. */
    static byte[] tls12(String hmac, byte[] secret, String label, byte[] seed, int length)
            throws GeneralSecurityException {
        return pHash(hmac, secret, concat(label.getBytes(StandardCharsets.US_ASCII), seed), length);
    }

    /**
     * TLS 1.0 and 1.1 PRF (RFC 2246 section 5): P_MD5 over the first half of the secret XOR P_SHA1
     * over the second half (the halves share the middle byte when the length is odd).
     */
    static byte[] tls10(byte[] secret, String label, byte[] seed, int length) throws GeneralSecurityException {
        int half = (secret.length + 1) / 2;
        byte[] s1 = java.util.Arrays.copyOfRange(secret, 0, half);
        byte[] s2 = java.util.Arrays.copyOfRange(secret, secret.length - half, secret.length);
        byte[] labelSeed = concat(label.getBytes(StandardCharsets.US_ASCII), seed);
        byte[] md5 = pHash("HmacMD5", s1, labelSeed, length);
        byte[] sha1 = pHash("HmacSHA1", s2, labelSeed, length);
        for (int i = 0; i < length; i++) {
            md5[i] ^= sha1[i];
        }
        return md5;
    }

    /**
     * SSL 3.0 key block (RFC 6101 section 6.2.2): MD5(master + SHA1("A" + master + randoms)) +
     * MD5(master + SHA1("BB" + master + randoms)) + ..., the randoms server first.
     */
    static byte[] ssl3(byte[] master, byte[] serverThenClientRandom, int length) throws GeneralSecurityException {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        byte[] out = new byte[length];
        int filled = 0;
        for (int round = 1; filled < length; round++) {
            byte[] salt = new byte[round];
            java.util.Arrays.fill(salt, (byte) ('A' + round - 1));
            sha1.update(salt);
            sha1.update(master);
            sha1.update(serverThenClientRandom);
            md5.update(master);
            md5.update(sha1.digest());
            byte[] block = md5.digest();
            int n = Math.min(block.length, length - filled);
            System.arraycopy(block, 0, out, filled, n);
            filled += n;
        }
        return out;
    }

    /** P_hash (RFC 5246 section 5): A(i) = HMAC(secret, A(i-1)), output HMAC(secret, A(i) + seed)... */
    private static byte[] pHash(String hmac, byte[] secret, byte[] seed, int length) throws GeneralSecurityException {
        Mac mac = Mac.getInstance(hmac);
        // An empty secret is legal for the PRF but not for SecretKeySpec; one zero byte is no help,
        // HMAC pads keys with zeros, so the two are the same key.
        mac.init(new SecretKeySpec(secret.length == 0 ? new byte[1] : secret, hmac));
        byte[] out = new byte[length];
        byte[] a = seed;
        int filled = 0;
        while (filled < length) {
            a = mac.doFinal(a);
            mac.update(a);
            mac.update(seed);
            byte[] block = mac.doFinal();
            int n = Math.min(block.length, length - filled);
            System.arraycopy(block, 0, out, filled, n);
            filled += n;
        }
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
