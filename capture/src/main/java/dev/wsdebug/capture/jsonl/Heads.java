package dev.wsdebug.capture.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.wire.H2Handshake;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP heads rebuilt from what a JSON Lines event keeps of them (method and target or status and
 * reason, and the header list in order), and the handshake's result worked out again from them by
 * the wire module's own checks, as the live sources do: the file's {@code accept}, {@code deflate},
 * {@code problems}… are what those checks said, so they are not trusted but derived.
 *
 * <p>The file does not keep the HTTP version, so an HTTP/1.1 head is rebuilt as HTTP/1.1; an HTTP/2
 * head (its pseudo-header fields are in its header list) is rebuilt as the live source built it.
 */
final class Heads {
    /** What {@code Conversation} checks a response against when the capture missed the request. */
    private static final HttpHead NO_REQUEST = new HttpHead("GET / HTTP/1.1", List.of(), 0);
    private static final String VERSION = "HTTP/1.1";

    private Heads() {
    }

    /** A handshake's request: null when the file says null. */
    static HttpHead request(JsonNode r, boolean h2) {
        if (r == null || r.isNull()) {
            return null;
        }
        List<HttpHead.Header> headers = headers(r);
        if (h2) {
            return HttpHead.ofHttp2(headers);
        }
        return head(text(r, "method") + " " + text(r, "target") + " " + VERSION, headers);
    }

    /** A handshake's or an exchange's response: null when the file says null. */
    static HttpHead response(JsonNode r, int status, String reason, boolean h2) {
        if (r == null || r.isNull()) {
            return null;
        }
        List<HttpHead.Header> headers = headers(r);
        if (h2) {
            return HttpHead.ofHttp2(headers);
        }
        return head(VERSION + " " + status + (reason == null || reason.isEmpty() ? "" : " " + reason), headers);
    }

    /** A plain exchange's request: its start line from the method and the URL's path and query. */
    static HttpHead exchangeRequest(JsonNode r, String method, String url) {
        if (r == null || r.isNull()) {
            return null;
        }
        List<HttpHead.Header> headers = headers(r);
        if (isHttp2(headers)) {
            return HttpHead.ofHttp2(headers);
        }
        return head(method + " " + target(method, url) + " " + VERSION, headers);
    }

    /** Whether a header list is an HTTP/2 block: it starts with a pseudo-header field. */
    static boolean isHttp2(List<HttpHead.Header> headers) {
        return !headers.isEmpty() && headers.get(0).name().startsWith(":");
    }

    /** The result of the opening handshake, derived as the live source derived it; null without a response. */
    static HandshakeResult result(String transport, HttpHead request, HttpHead response) {
        if (response == null) {
            return null;
        }
        if (HandshakeEvent.H2.equals(transport)) {
            // the server's SETTINGS are not in the file: unknown, as for a capture that started late
            return H2Handshake.check(request != null ? request : HttpHead.ofHttp2(List.of()), response, null);
        }
        return Handshake.check(request != null ? request : NO_REQUEST, response);
    }

    static List<HttpHead.Header> headers(JsonNode part) {
        List<HttpHead.Header> out = new ArrayList<>();
        for (JsonNode h : part.path("headers")) {
            out.add(new HttpHead.Header(h.path(0).asText(""), h.path(1).asText("")));
        }
        return List.copyOf(out);
    }

    /** A head with its size as it would be on the wire: start line, fields and line ends. */
    private static HttpHead head(String startLine, List<HttpHead.Header> headers) {
        int size = startLine.length() + 2;
        for (HttpHead.Header h : headers) {
            size += h.line().length();
        }
        return new HttpHead(startLine, headers, size + 2);
    }

    private static String target(String method, String url) {
        if ("CONNECT".equalsIgnoreCase(method) || url == null) {
            return url == null ? "/" : url;
        }
        try {
            URI u = URI.create(url);
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            return u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
        } catch (IllegalArgumentException notAUri) {
            return url;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }
}
