package dev.wsdebug.capture;

import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;

/**
 * The opening handshake: request and response heads as sent, and what they negotiated.
 *
 * @param request  the upgrade request, or null when the capture starts after it
 * @param response the response, or null when the stream ended before one arrived
 * @param result   the checks and negotiated parameters, or null without a response
 * @param client   the client's address as host:port, or null when the source does not know it
 * @param server   the server's address as host:port, or null when the source does not know it
 * @param tls      for a connection decrypted from a packet capture: its TLS handshake; else null
 * @param stream   for {@code transport} h2 (an RFC 8441 extended CONNECT): the HTTP/2 stream id; else -1
 */
public record HandshakeEvent(String conn, long timeMicros, String transport, String url, HttpHead request,
                             HttpHead response, HandshakeResult result, String client, String server, TlsSummary tls,
                             int stream)
        implements Event {
    public static final String HTTP1 = "http/1.1";
    public static final String H2 = "h2";

    public HandshakeEvent(String conn, long timeMicros, String transport, String url, HttpHead request,
                          HttpHead response, HandshakeResult result, String client, String server, TlsSummary tls) {
        this(conn, timeMicros, transport, url, request, response, result, client, server, tls, -1);
    }

    public HandshakeEvent(String conn, long timeMicros, String transport, String url, HttpHead request,
                          HttpHead response, HandshakeResult result, String client, String server) {
        this(conn, timeMicros, transport, url, request, response, result, client, server, null, -1);
    }

    /** The same event with its connection's TLS handshake. */
    public HandshakeEvent withTls(TlsSummary summary) {
        return new HandshakeEvent(conn, timeMicros, transport, url, request, response, result, client, server, summary,
                stream);
    }
    @Override
    public String name() {
        return "handshake";
    }
}
