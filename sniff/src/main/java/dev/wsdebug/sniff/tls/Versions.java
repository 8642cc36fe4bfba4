package dev.wsdebug.sniff.tls;

/** Protocol version numbers as on the wire, and the names {@link TlsInfo} reports them by. */
final class Versions {
    static final int SSL3 = 0x0300;
    static final int TLS10 = 0x0301;
    static final int TLS11 = 0x0302;
    static final int TLS12 = 0x0303;
    static final int TLS13 = 0x0304;

    private Versions() {
    }

    static boolean supported(int version) {
        return version >= SSL3 && version <= TLS13;
    }

    static String name(int version) {
        return switch (version) {
            case SSL3 -> "SSL 3.0";
            case TLS10 -> "TLS 1.0";
            case TLS11 -> "TLS 1.1";
            case TLS12 -> "TLS 1.2";
            case TLS13 -> "TLS 1.3";
            default -> (version & 0xFF00) == 0x7F00 ? "TLS 1.3 draft " + (version & 0xFF) : String.format("0x%04X", version);
        };
    }
}
