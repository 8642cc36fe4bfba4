package dev.wsdebug.sniff.tls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes TLS records for scenarios no capture at hand shows (0-RTT, HelloRetryRequest, padding,
 * renegotiation with every key known): hello messages with the fields the decoder reads, and
 * AES-GCM sealing as RFC 8446 5.2 and RFC 5288 describe it, done with the JDK's cipher in
 * encrypt mode. Handshake messages the decoder only counts (Finished, ClientKeyExchange) carry
 * filler, since nothing here verifies them.
 */
final class TlsWriter {
    private TlsWriter() {
    }

    static byte[] record(int type, int version, byte[] fragment) {
        byte[] out = new byte[5 + fragment.length];
        out[0] = (byte) type;
        out[1] = (byte) (version >> 8);
        out[2] = (byte) version;
        out[3] = (byte) (fragment.length >> 8);
        out[4] = (byte) fragment.length;
        System.arraycopy(fragment, 0, out, 5, fragment.length);
        return out;
    }

    static byte[] handshake(int type, byte[] body) {
        return new Bytes().u8(type).u24(body.length).raw(body).done();
    }

    static byte[] clientHello(byte[] random, String sni, List<String> alpn, boolean offerTls13, boolean earlyData) {
        Bytes extensions = new Bytes();
        if (sni != null) {
            byte[] name = sni.getBytes(StandardCharsets.US_ASCII);
            byte[] list = new Bytes().u8(0).u16(name.length).raw(name).done();
            extensions.u16(Hellos.EXT_SERVER_NAME).vector16(new Bytes().vector16(list).done());
        }
        if (!alpn.isEmpty()) {
            extensions.u16(Hellos.EXT_ALPN).vector16(new Bytes().vector16(protocols(alpn)).done());
        }
        if (offerTls13) {
            extensions.u16(Hellos.EXT_SUPPORTED_VERSIONS).vector16(new Bytes().u8(4).u16(0x0304).u16(0x0303).done());
        }
        if (earlyData) {
            extensions.u16(Hellos.EXT_EARLY_DATA).u16(0);
        }
        byte[] body = new Bytes().u16(0x0303).raw(random).u8(0).u16(4).u16(0x1301).u16(0xC02F).u8(1).u8(0)
                .vector16(extensions.done()).done();
        return handshake(HandshakeReader.CLIENT_HELLO, body);
    }

    static byte[] serverHello(byte[] random, int version, int suite, String alpn) {
        Bytes extensions = new Bytes();
        if (version == 0x0304) {
            extensions.u16(Hellos.EXT_SUPPORTED_VERSIONS).u16(2).u16(0x0304);
        }
        if (alpn != null) {
            extensions.u16(Hellos.EXT_ALPN).vector16(new Bytes().vector16(protocols(List.of(alpn))).done());
        }
        byte[] body = new Bytes().u16(0x0303).raw(random).u8(0).u16(suite).u8(0).vector16(extensions.done()).done();
        return handshake(HandshakeReader.SERVER_HELLO, body);
    }

    static byte[] encryptedExtensions(String alpn, boolean earlyData) {
        Bytes extensions = new Bytes();
        if (alpn != null) {
            extensions.u16(Hellos.EXT_ALPN).vector16(new Bytes().vector16(protocols(List.of(alpn))).done());
        }
        if (earlyData) {
            extensions.u16(Hellos.EXT_EARLY_DATA).u16(0);
        }
        return handshake(HandshakeReader.ENCRYPTED_EXTENSIONS, new Bytes().vector16(extensions.done()).done());
    }

    static byte[] finished(int length) {
        byte[] verify = new byte[length];
        Arrays.fill(verify, (byte) 0x5A);
        return handshake(HandshakeReader.FINISHED, verify);
    }

    static byte[] keyUpdate(boolean requestUpdate) {
        return handshake(HandshakeReader.KEY_UPDATE, new byte[] {(byte) (requestUpdate ? 1 : 0)});
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] protocols(List<String> names) {
        Bytes b = new Bytes();
        for (String n : names) {
            byte[] name = ascii(n);
            b.u8(name.length).raw(name);
        }
        return b.done();
    }

    /** TLS 1.3 AES-128-GCM sealing under one traffic secret (TLS_AES_128_GCM_SHA256). */
    static final class Tls13Sealer {
        private final byte[] secret;
        private final byte[] key;
        private final byte[] iv;
        private long sequence;

        Tls13Sealer(byte[] secret) {
            try {
                this.secret = secret.clone();
                this.key = Hkdf.expandLabel("HmacSHA256", secret, "key", new byte[0], 16);
                this.iv = Hkdf.expandLabel("HmacSHA256", secret, "iv", new byte[0], 12);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The sealer after a KeyUpdate of its side. */
        Tls13Sealer next() {
            try {
                return new Tls13Sealer(Hkdf.expandLabel("HmacSHA256", secret, "traffic upd", new byte[0], 32));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A record with {@code content} of {@code type} inside, followed by {@code padding} zero bytes. */
        byte[] seal(int type, byte[] content, int padding) {
            byte[] inner = new byte[content.length + 1 + padding];
            System.arraycopy(content, 0, inner, 0, content.length);
            inner[content.length] = (byte) type;
            int sealedLength = inner.length + 16;
            byte[] header = {23, 3, 3, (byte) (sealedLength >> 8), (byte) sealedLength};
            byte[] nonce = iv.clone();
            long s = sequence++;
            for (int i = 11; i >= 4; i--) {
                nonce[i] ^= (byte) s;
                s >>>= 8;
            }
            return record(23, 0x0303, gcm(key, nonce, header, inner));
        }
    }

    /** TLS 1.2 AES-GCM sealing of one side (RFC 5288): 8-byte explicit nonce = the sequence number. */
    static final class Tls12GcmSealer {
        private final byte[] key;
        private final byte[] salt;
        private long sequence;

        private Tls12GcmSealer(byte[] key, byte[] salt) {
            this.key = key;
            this.salt = salt;
        }

        /** Both sides' sealers of TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: {client, server}. */
        static Tls12GcmSealer[] pair(byte[] master, byte[] clientRandom, byte[] serverRandom) {
            try {
                // key_block: client_write_key[16], server_write_key[16], client_write_IV[4], server_write_IV[4]
                byte[] block = Prf.tls12("HmacSHA256", master, "key expansion", Prf.concat(serverRandom, clientRandom), 40);
                return new Tls12GcmSealer[] {
                    new Tls12GcmSealer(Arrays.copyOfRange(block, 0, 16), Arrays.copyOfRange(block, 32, 36)),
                    new Tls12GcmSealer(Arrays.copyOfRange(block, 16, 32), Arrays.copyOfRange(block, 36, 40)),
                };
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        byte[] seal(int type, byte[] content) {
            long seq = sequence++;
            byte[] explicit = new byte[8];
            RecordCipher.putLong(explicit, 0, seq);
            byte[] nonce = Prf.concat(salt, explicit);
            byte[] aad = new byte[13];
            RecordCipher.putLong(aad, 0, seq);
            aad[8] = (byte) type;
            aad[9] = 3;
            aad[10] = 3;
            aad[11] = (byte) (content.length >> 8);
            aad[12] = (byte) content.length;
            return record(type, 0x0303, Prf.concat(explicit, gcm(key, nonce, aad, content)));
        }
    }

    private static byte[] gcm(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(aad);
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Big-endian field writer. */
    static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u16(int v) {
            return u8(v >> 8).u8(v);
        }

        Bytes u24(int v) {
            return u8(v >> 16).u16(v & 0xFFFF);
        }

        Bytes raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Bytes vector16(byte[] b) {
            return u16(b.length).raw(b);
        }

        byte[] done() {
            return out.toByteArray();
        }
    }
}
