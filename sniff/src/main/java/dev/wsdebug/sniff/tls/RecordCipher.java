package dev.wsdebug.sniff.tls;

/**
 * The read protection of one direction under one set of keys: opens each record in order,
 * keeping the sequence number (implicit in every TLS version).
 */
interface RecordCipher {
    /**
     * Opens one record as received.
     *
     * @param type    the record header's content type (the outer type in TLS 1.3)
     * @param version the record header's version
     * @return the content, valid until the next call; null when the record does not authenticate
     *     (the sequence number is then left unchanged)
     */
    Plaintext open(int type, int version, byte[] b, int off, int len);

    /** Opened content: its real type (TLS 1.3 keeps it inside the encryption) and bytes. */
    record Plaintext(int type, byte[] b, int off, int len) {
    }

    /** The 8-byte big-endian sequence number, as MACs and AEAD additional data carry it. */
    static void putLong(byte[] to, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            to[at + i] = (byte) v;
            v >>>= 8;
        }
    }
}
