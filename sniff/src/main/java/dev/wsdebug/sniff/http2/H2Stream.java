package dev.wsdebug.sniff.http2;

import dev.wsdebug.sniff.http.CapturedConversation;
import dev.wsdebug.wire.HttpHead;

import java.util.List;
import java.util.Locale;

/**
 * One HTTP/2 stream of a captured connection: the request fields (from the client's HEADERS, or a
 * server's PUSH_PROMISE), the final response fields, DATA counted each way, which sides ended it;
 * and for an extended CONNECT to {@code websocket} (RFC 8441 4) the conversation its DATA feeds.
 */
final class H2Stream {
    final int id;
    final long startNanos;
    final List<HttpHead.Header> request;
    List<HttpHead.Header> response;
    long requestBody;
    long responseBody;
    boolean clientEnded;
    boolean serverEnded;
    /** The client reset the stream before the server ended it. */
    boolean clientReset;
    /** The WebSocket this stream carries, or null for a plain request. */
    final CapturedConversation webSocket;

    H2Stream(int id, long startNanos, List<HttpHead.Header> request, CapturedConversation webSocket) {
        this.id = id;
        this.startNanos = startNanos;
        this.request = request;
        this.webSocket = webSocket;
    }

    /** Whether the fields are an extended CONNECT opening a WebSocket. */
    static boolean isWebSocket(List<HttpHead.Header> fields) {
        return "CONNECT".equals(field(fields, ":method")) && "websocket".equalsIgnoreCase(field(fields, ":protocol"));
    }

    /** The first value of a field, or null. */
    static String field(List<HttpHead.Header> fields, String name) {
        if (fields != null) {
            for (HttpHead.Header h : fields) {
                if (h.name().equals(name)) {
                    return h.value();
                }
            }
        }
        return null;
    }

    /** An interim response (1xx, RFC 9113 8.1): a final one follows on the same stream. */
    static boolean interim(List<HttpHead.Header> fields) {
        String status = field(fields, ":status");
        return status != null && status.length() == 3 && status.charAt(0) == '1';
    }

    boolean done() {
        return (clientEnded || clientReset) && serverEnded;
    }

    /** The request's URL from its pseudo-headers: scheme://authority/path, or the authority of a CONNECT. */
    String url(boolean tls, String server) {
        String authority = field(request, ":authority");
        if (authority == null) {
            authority = field(request, "host");
        }
        authority = authority == null ? server : authority.toLowerCase(Locale.ROOT);
        String path = field(request, ":path");
        if (path == null && "CONNECT".equals(field(request, ":method"))) {
            return authority;
        }
        String scheme = field(request, ":scheme");
        return (scheme == null ? tls ? "https" : "http" : scheme) + "://" + authority + (path == null ? "" : path);
    }
}
