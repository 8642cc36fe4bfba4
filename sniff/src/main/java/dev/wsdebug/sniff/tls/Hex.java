package dev.wsdebug.sniff.tls;

/** Lowercase hex text for byte strings: key log fields and the client randoms quoted in problems. */
final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {
    }

    static String of(byte[] b) {
        return of(b, 0, b.length);
    }

    static String of(byte[] b, int off, int len) {
        char[] out = new char[len * 2];
        for (int i = 0; i < len; i++) {
            int v = b[off + i] & 0xFF;
            out[2 * i] = DIGITS[v >>> 4];
            out[2 * i + 1] = DIGITS[v & 0xF];
        }
        return new String(out);
    }

    /** The value of one hex digit, or -1 for any other character. */
    static int digit(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Decodes {@code len} characters (bytes) of hex, or returns null when they are not all hex digits. */
    static byte[] decode(byte[] text, int off, int len) {
        if ((len & 1) != 0) {
            return null;
        }
        byte[] out = new byte[len / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = digit(text[off + 2 * i]);
            int lo = digit(text[off + 2 * i + 1]);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    /** Decodes hex text that may contain whitespace (test vectors as printed in RFCs). */
    static byte[] decode(String text) {
        StringBuilder digits = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                digits.append(c);
            }
        }
        byte[] ascii = digits.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] out = decode(ascii, 0, ascii.length);
        if (out == null) {
            throw new IllegalArgumentException("not hex: " + text);
        }
        return out;
    }
}
