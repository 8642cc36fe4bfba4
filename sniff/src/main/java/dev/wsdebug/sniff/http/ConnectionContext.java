package dev.wsdebug.sniff.http;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.wire.DecodeLimits;

/**
 * What the decoder of one captured connection's plaintext (HTTP/1.1 or HTTP/2) reports with: the
 * connection's id, whether it was decrypted from TLS (https, wss), both endpoints as shown, where
 * events go and the decoding limits of its WebSockets.
 */
public record ConnectionContext(String conn, boolean tls, String client, String server, EventSink sink,
                                DecodeLimits limits) {
    /** A WebSocket of this connection, with its own id ({@code conn}, {@code conn.2}, {@code conn.<stream>}). */
    public CapturedConversation webSocket(String id) {
        return new CapturedConversation(id, sink, tls ? "wss" : "ws", client, server, limits);
    }

    /** One sentence about this connection. */
    public void error(long timeNanos, String kind, String message) {
        sink.accept(new ErrorEvent(conn, Math.floorDiv(timeNanos, 1000), kind, message));
    }
}
