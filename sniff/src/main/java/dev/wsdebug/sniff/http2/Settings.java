package dev.wsdebug.sniff.http2;

/** The parameters of a SETTINGS frame (RFC 9113 6.5.1: 16-bit identifier, 32-bit value, repeated). */
final class Settings {
    /** RFC 8441 3: the server lets clients open WebSockets (and other protocols) with extended CONNECT. */
    static final int ENABLE_CONNECT_PROTOCOL = 0x8;

    private Settings() {
    }

    /** Whether the payload is a whole number of parameters. */
    static boolean wellFormed(byte[] payload) {
        return payload != null && payload.length % 6 == 0;
    }

    /** The last value given to {@code id} (a later one overrides, RFC 9113 6.5.3), or -1 when absent. */
    static long value(byte[] payload, int id) {
        long v = -1;
        for (int i = 0; i + 6 <= payload.length; i += 6) {
            int k = (payload[i] & 0xFF) << 8 | payload[i + 1] & 0xFF;
            if (k == id) {
                v = Integer.toUnsignedLong(Bytes.int32(payload, i + 2));
            }
        }
        return v;
    }
}
