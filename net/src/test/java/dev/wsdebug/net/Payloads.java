package dev.wsdebug.net;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The test patterns the client scripts send for {@code "size": n} (see ws_client.py), computed here
 * independently so that an echo can be checked against what was meant to be sent.
 */
final class Payloads {
    private Payloads() {
    }

    /** Lowercase letters a..z repeated: n bytes of ASCII. */
    static String text(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + i % 26));
        }
        return b.toString();
    }

    /** Byte i is (i * 31 + 7) mod 256. */
    static byte[] binary(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] data) {
        return HexFormat.of().formatHex(data);
    }
}
