package dev.wsdebug.sniff.tls;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMModeCipher;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * One key of an AEAD cipher, opening sealed records: AES-GCM and ChaCha20-Poly1305 from the JDK,
 * AES-CCM from BouncyCastle's lightweight API (the JDK has no CCM; no provider is registered).
 */
abstract class Aead {
    final int tagLength;

    private Aead(int tagLength) {
        this.tagLength = tagLength;
    }

    /**
     * Decrypts in[off, off+len) (ciphertext then tag) into out from index 0.
     *
     * @return the plaintext length, or -1 when the tag does not verify
     */
    abstract int open(byte[] nonce, byte[] aad, byte[] in, int off, int len, byte[] out);

    static Aead create(CipherSuite.Bulk bulk, byte[] key) throws GeneralSecurityException {
        return switch (bulk) {
            case AES_GCM -> new Jce("AES/GCM/NoPadding", new SecretKeySpec(key, "AES"), true);
            case CHACHA20_POLY1305 -> new Jce("ChaCha20-Poly1305", new SecretKeySpec(key, "ChaCha20"), false);
            case AES_CCM -> new Ccm(key, 16);
            case AES_CCM_8 -> new Ccm(key, 8);
            default -> throw new IllegalArgumentException(bulk + " is not an AEAD cipher");
        };
    }

    private static final class Jce extends Aead {
        private final Cipher cipher;
        private final SecretKey key;
        private final boolean gcm;

        Jce(String transformation, SecretKey key, boolean gcm) throws GeneralSecurityException {
            super(16);
            this.cipher = Cipher.getInstance(transformation);
            this.key = key;
            this.gcm = gcm;
        }

        @Override
        int open(byte[] nonce, byte[] aad, byte[] in, int off, int len, byte[] out) {
            if (len < tagLength) {
                return -1;
            }
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, gcm ? new GCMParameterSpec(128, nonce) : new IvParameterSpec(nonce));
                cipher.updateAAD(aad);
                return cipher.doFinal(in, off, len, out, 0);
            } catch (GeneralSecurityException | RuntimeException e) {
                // AEADBadTagException above all: a wrong key or a damaged record.
                return -1;
            }
        }
    }

    private static final class Ccm extends Aead {
        private final CCMModeCipher cipher = CCMBlockCipher.newInstance(AESEngine.newInstance());
        private final KeyParameter key;

        Ccm(byte[] key, int tagLength) {
            super(tagLength);
            this.key = new KeyParameter(key);
        }

        @Override
        int open(byte[] nonce, byte[] aad, byte[] in, int off, int len, byte[] out) {
            if (len < tagLength) {
                return -1;
            }
            try {
                cipher.init(false, new AEADParameters(key, tagLength * 8, nonce, aad));
                int n = cipher.processBytes(in, off, len, out, 0);
                return n + cipher.doFinal(out, n);
            } catch (InvalidCipherTextException | RuntimeException e) {
                return -1;
            }
        }
    }
}
