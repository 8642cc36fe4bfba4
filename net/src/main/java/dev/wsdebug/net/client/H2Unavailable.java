package dev.wsdebug.net.client;

/**
 * The server cannot take a WebSocket over HTTP/2 (it did not pick h2, or its SETTINGS do not enable
 * extended CONNECT): a failure under {@code --http2}, a reason to fall back to HTTP/1.1 otherwise.
 */
public final class H2Unavailable extends ClientFailure {
    public H2Unavailable(String sentence) {
        super("handshake", -1, sentence, null);
    }
}
