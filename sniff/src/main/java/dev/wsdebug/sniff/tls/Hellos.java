package dev.wsdebug.sniff.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parts of ClientHello, ServerHello and EncryptedExtensions that decryption and
 * {@link TlsInfo} need (RFC 8446 4.1 and 4.3, RFC 5246 7.4.1, RFC 6066 3, RFC 7301, RFC 7366).
 * Parsing never throws: a malformed message gives null.
 */
final class Hellos {
    static final int EXT_SERVER_NAME = 0;
    static final int EXT_ALPN = 16;
    static final int EXT_ENCRYPT_THEN_MAC = 22;
    static final int EXT_EARLY_DATA = 42;
    static final int EXT_SUPPORTED_VERSIONS = 43;

    /** ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 4.1.3). */
    static final byte[] HELLO_RETRY_REQUEST = Hex.decode(
            "CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

    private Hellos() {
    }

    record ClientHello(byte[] random, String sni, List<String> alpn, boolean earlyData) {
    }

    /**
     * @param version the negotiated version: supported_versions when present (TLS 1.3), else legacy_version
     */
    record ServerHello(byte[] random, int version, int cipherSuite, String alpn, boolean encryptThenMac,
                       boolean helloRetryRequest) {
    }

    record EncryptedExtensions(String alpn, boolean earlyData) {
    }

    static ClientHello clientHello(byte[] b, int len) {
        try {
            Cursor c = new Cursor(b, 0, len);
            c.skip(2); // legacy_version
            byte[] random = c.bytes(32);
            c.skip(c.u8()); // legacy_session_id
            c.skip(c.u16()); // cipher_suites
            c.skip(c.u8()); // compression_methods
            String sni = null;
            List<String> alpn = List.of();
            boolean earlyData = false;
            if (c.remaining() > 0) {
                Cursor exts = c.sub(c.u16());
                while (exts.remaining() > 0) {
                    int type = exts.u16();
                    Cursor ext = exts.sub(exts.u16());
                    switch (type) {
                        case EXT_SERVER_NAME -> sni = serverName(ext);
                        case EXT_ALPN -> alpn = protocols(ext);
                        case EXT_EARLY_DATA -> earlyData = true;
                        default -> {
                        }
                    }
                }
            }
            return new ClientHello(random, sni, alpn, earlyData);
        } catch (Truncated e) {
            return null;
        }
    }

    static ServerHello serverHello(byte[] b, int len) {
        try {
            Cursor c = new Cursor(b, 0, len);
            int version = c.u16();
            byte[] random = c.bytes(32);
            c.skip(c.u8()); // legacy_session_id_echo
            int suite = c.u16();
            c.skip(1); // compression_method
            String alpn = null;
            boolean encryptThenMac = false;
            if (c.remaining() > 0) {
                Cursor exts = c.sub(c.u16());
                while (exts.remaining() > 0) {
                    int type = exts.u16();
                    Cursor ext = exts.sub(exts.u16());
                    switch (type) {
                        case EXT_SUPPORTED_VERSIONS -> version = ext.u16();
                        case EXT_ALPN -> {
                            List<String> chosen = protocols(ext);
                            alpn = chosen.isEmpty() ? null : chosen.get(0);
                        }
                        case EXT_ENCRYPT_THEN_MAC -> encryptThenMac = true;
                        default -> {
                        }
                    }
                }
            }
            return new ServerHello(random, version, suite, alpn, encryptThenMac, Arrays.equals(random, HELLO_RETRY_REQUEST));
        } catch (Truncated e) {
            return null;
        }
    }

    static EncryptedExtensions encryptedExtensions(byte[] b, int len) {
        try {
            Cursor c = new Cursor(b, 0, len);
            Cursor exts = c.sub(c.u16());
            String alpn = null;
            boolean earlyData = false;
            while (exts.remaining() > 0) {
                int type = exts.u16();
                Cursor ext = exts.sub(exts.u16());
                if (type == EXT_ALPN) {
                    List<String> chosen = protocols(ext);
                    alpn = chosen.isEmpty() ? null : chosen.get(0);
                } else if (type == EXT_EARLY_DATA) {
                    earlyData = true;
                }
            }
            return new EncryptedExtensions(alpn, earlyData);
        } catch (Truncated e) {
            return null;
        }
    }

    /** server_name: a list of (type, name); the host_name (type 0) is the SNI. */
    private static String serverName(Cursor ext) throws Truncated {
        Cursor list = ext.sub(ext.u16());
        while (list.remaining() > 0) {
            int type = list.u8();
            byte[] name = list.bytes(list.u16());
            if (type == 0) {
                return new String(name, StandardCharsets.US_ASCII);
            }
        }
        return null;
    }

    /** ProtocolNameList: protocol names of 1 to 255 bytes. */
    private static List<String> protocols(Cursor ext) throws Truncated {
        Cursor list = ext.sub(ext.u16());
        List<String> names = new ArrayList<>();
        while (list.remaining() > 0) {
            names.add(new String(list.bytes(list.u8()), StandardCharsets.ISO_8859_1));
        }
        return List.copyOf(names);
    }

    /** A message ended before a field it announced. */
    private static final class Truncated extends Exception {
        Truncated() {
            super(null, null, false, false);
        }
    }

    /** Reads big-endian fields within [pos, end), refusing to read past the end. */
    private static final class Cursor {
        private final byte[] b;
        private int pos;
        private final int end;

        Cursor(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        int remaining() {
            return end - pos;
        }

        private void need(int n) throws Truncated {
            if (n < 0 || end - pos < n) {
                throw new Truncated();
            }
        }

        int u8() throws Truncated {
            need(1);
            return b[pos++] & 0xFF;
        }

        int u16() throws Truncated {
            need(2);
            int v = (b[pos] & 0xFF) << 8 | (b[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        byte[] bytes(int n) throws Truncated {
            need(n);
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        void skip(int n) throws Truncated {
            need(n);
            pos += n;
        }

        Cursor sub(int n) throws Truncated {
            need(n);
            Cursor c = new Cursor(b, pos, pos + n);
            pos += n;
            return c;
        }
    }
}
