package dev.wsdebug.net.client;

/**
 * Why a connection could not be opened or was lost, in one sentence, with the close code an
 * application would see (1006 for network failures, 1015 for TLS, -1 for a refused upgrade).
 */
public class ClientFailure extends Exception {
    private final String kind;
    private final int closeCode;

    public ClientFailure(String kind, int closeCode, String sentence, Throwable cause) {
        super(sentence, cause);
        this.kind = kind;
        this.closeCode = closeCode;
    }

    /** The schema's error kind: io, dns, tls, handshake, timeout. */
    public String kind() {
        return kind;
    }

    public int closeCode() {
        return closeCode;
    }
}
