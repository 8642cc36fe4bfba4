package dev.wsdebug.capture;

/**
 * What the TLS handshake of a captured connection showed: added to handshake (and http) events of
 * connections decrypted from a packet capture, as the optional schema-v1 field {@code tls}.
 *
 * @param sni         the server name the client asked for, or null
 * @param version     e.g. "TLS 1.3"
 * @param cipherSuite the IANA name of the suite in use
 * @param alpn        the protocol the server chose, or null
 */
public record TlsSummary(String sni, String version, String cipherSuite, String alpn) {
    @Override
    public String toString() {
        return version + ", " + cipherSuite + (sni != null ? ", SNI " + sni : "") + (alpn != null ? ", ALPN " + alpn : "");
    }
}
