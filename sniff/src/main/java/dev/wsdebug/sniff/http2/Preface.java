package dev.wsdebug.sniff.http2;

import java.nio.charset.StandardCharsets;

/** The client connection preface (RFC 9113 3.4), matched as it arrives in pieces. */
final class Preface {
    static final byte[] BYTES = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private int matched;

    /** Whether the bytes start with the whole preface (false while fewer bytes than it). */
    static boolean startsWith(byte[] b, int off, int len) {
        return len >= BYTES.length && java.util.Arrays.equals(b, off, off + BYTES.length, BYTES, 0, BYTES.length);
    }

    boolean complete() {
        return matched == BYTES.length;
    }

    /** Consumes preface bytes from the input; the count used, or -1 when a byte differs. */
    int match(byte[] b, int off, int len) {
        int n = Math.min(len, BYTES.length - matched);
        for (int i = 0; i < n; i++) {
            if (b[off + i] != BYTES[matched + i]) {
                return -1;
            }
        }
        matched += n;
        return n;
    }
}
