package dev.wsdebug.sniff.tls;

import java.util.List;

/**
 * What a TLS handshake showed in the clear (TLS 1.2) or once decrypted (TLS 1.3 extensions).
 *
 * @param sni         server name from the ClientHello, or null
 * @param version     "TLS 1.3", "TLS 1.2", "TLS 1.1", "TLS 1.0" or "SSL 3.0"
 * @param cipherSuite IANA name of the suite the server chose, e.g. TLS_AES_128_GCM_SHA256
 * @param alpnOffered protocols the client offered (empty when none)
 * @param alpn        the protocol the server chose, or null
 * @param decrypting  whether a key for this connection's client random was found
 */
public record TlsInfo(String sni, String version, String cipherSuite, List<String> alpnOffered, String alpn,
                      boolean decrypting) {
}
