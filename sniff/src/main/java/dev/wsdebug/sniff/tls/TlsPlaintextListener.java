package dev.wsdebug.sniff.tls;

/** What a {@code TlsConnection} decrypts, in order. */
public interface TlsPlaintextListener {
    /** The handshake is known (again after a renegotiation): version, suite, SNI, ALPN. */
    void info(TlsInfo info);

    /**
     * Decrypted application data of one side, in order; the array is only valid during the call.
     *
     * @param packet the packet that completed the record
     */
    void plaintext(boolean fromClient, long packet, long timeNanos, byte[] b, int off, int len);

    /**
     * Something that stops decryption of this connection or a side of it, in one sentence: no key
     * for its client random (with how to get one), a key that does not authenticate (once per
     * connection, not per record), an unsupported suite, bytes that are not TLS records.
     */
    void problem(long timeNanos, String sentence);
}
