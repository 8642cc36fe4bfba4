package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * GraphQL over WebSocket, both subprotocols: {@code graphql-transport-ws} (the graphql-ws library:
 * connection_init, connection_ack, ping, pong, subscribe, next, error, complete) and the legacy
 * {@code graphql-ws} of subscriptions-transport-ws (connection_init, connection_ack, ka, start, data,
 * error, complete, stop, connection_terminate, connection_error). Every message is a JSON object
 * with a {@code type}; an operation's messages carry its {@code id}. The summary of a subscribe or
 * start names the operation's type and name, read lightly from its query text.
 */
final class GraphQlWsDecoder implements PayloadDecoder {
    private static final Set<String> TYPES = Set.of("connection_init", "connection_ack", "ping", "pong", "subscribe",
            "next", "error", "complete", "ka", "start", "data", "stop", "connection_terminate", "connection_error");

    @Override
    public String name() {
        return "graphql-ws";
    }

    @Override
    public boolean claims(String subprotocol, String url) {
        if (subprotocol == null) {
            return false;
        }
        String s = subprotocol.trim().toLowerCase(Locale.ROOT);
        return s.equals("graphql-transport-ws") || s.equals("graphql-ws");
    }

    /** A connection's first message is connection_init in both subprotocols. */
    @Override
    public boolean sniff(Message m) {
        if (!Json.startsWith(m, "{")) {
            return false;
        }
        String head = new String(m.payload(), 0, Math.min(m.payload().length, 512), StandardCharsets.UTF_8);
        return head.replace(" ", "").contains("\"type\":\"connection_init\"");
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        if (!m.isText()) {
            return Decoded.failed(name(), "A binary message is not GraphQL over WebSocket, which is JSON text.");
        }
        Object parsed = Json.parse(name(), m, m.text());
        if (parsed instanceof Decoded failed) {
            return failed;
        }
        JsonNode n = (JsonNode) parsed;
        if (!n.isObject() || !n.path("type").isTextual()) {
            return Decoded.failed(name(), "A GraphQL over WebSocket message is a JSON object with a \"type\", this is not.");
        }
        String type = n.get("type").asText();
        if (!TYPES.contains(type)) {
            return Decoded.failed(name(), "\"" + type + "\" is no message type of graphql-transport-ws or graphql-ws.");
        }
        StringBuilder s = new StringBuilder(type);
        JsonNode id = n.get("id");
        if (id != null && !id.isNull()) {
            s.append(" id=").append(id.isTextual() ? id.asText() : id.toString());
        }
        JsonNode payload = n.path("payload");
        switch (type) {
            case "subscribe", "start" -> {
                String query = payload.path("query").asText("");
                String[] op = operation(query);
                String opName = payload.path("operationName").isTextual() ? payload.get("operationName").asText() : op[1];
                s.append(' ').append(op[0]);
                if (opName != null && !opName.isEmpty()) {
                    s.append(' ').append(opName);
                }
            }
            case "next", "data" -> {
                JsonNode errors = payload.path("errors");
                if (errors.isArray() && !errors.isEmpty()) {
                    s.append(" errors=").append(errors.size()).append(' ').append(Json.quote(errors.get(0).path("message").asText("")));
                }
            }
            case "error", "connection_error" -> {
                JsonNode first = payload.isArray() && !payload.isEmpty() ? payload.get(0) : payload;
                String msg = first.path("message").asText(null);
                if (msg != null) {
                    s.append(' ').append(Json.quote(msg));
                }
            }
            default -> {
            }
        }
        return Decoded.of(name(), s.toString(), n).withFacets(facets(type, id, s.toString()));
    }

    /**
     * A subscribe (start) waits under its id for the first next (data), error or complete; the
     * connection's init for its ack, a ping for its pong. The name is the operation ("subscription
     * OnCount").
     */
    private static java.util.Map<String, String> facets(String type, JsonNode id, String summary) {
        java.util.Map<String, String> f = new java.util.HashMap<>();
        f.put(Facets.OP, type);
        String ids = id == null || id.isNull() ? null : id.isTextual() ? id.asText() : id.toString();
        switch (type) {
            case "subscribe", "start" -> {
                f.put(Facets.REQUEST_ID, ids);
                int at = summary.indexOf(' ', summary.indexOf(" id=") + 1);
                f.put(Facets.NAME, at < 0 ? type : summary.substring(at + 1));
            }
            case "next", "data", "error", "complete" -> f.put(Facets.RESPONSE_ID, ids);
            case "connection_init" -> f.put(Facets.REQUEST_ID, "init");
            case "connection_ack", "connection_error" -> f.put(Facets.RESPONSE_ID, "init");
            case "ping" -> f.put(Facets.REQUEST_ID, "ping");
            case "pong" -> f.put(Facets.RESPONSE_ID, "ping");
            default -> {
            }
        }
        return f;
    }

    /**
     * The operation's type and name from a query document: the first operation keyword at the top
     * level (fragments before it skipped) and the name after it; an anonymous {@code {…}} is a query.
     */
    static String[] operation(String q) {
        int depth = 0;
        int n = Math.min(q.length(), 64 * 1024);
        int i = 0;
        while (i < n) {
            char c = q.charAt(i);
            if (c == '#') {
                while (i < n && q.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"') {
                i++;
                while (i < n && q.charAt(i) != '"') {
                    i += q.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else if (c == '{') {
                if (depth == 0 && i == firstSignificant(q, n)) {
                    return new String[] {"query", null};
                }
                depth++;
                i++;
            } else if (c == '}') {
                depth = Math.max(0, depth - 1);
                i++;
            } else if (depth == 0 && Character.isLetter(c)) {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(q.charAt(i)) || q.charAt(i) == '_')) {
                    i++;
                }
                String word = q.substring(start, i);
                if (word.equals("query") || word.equals("mutation") || word.equals("subscription")) {
                    while (i < n && Character.isWhitespace(q.charAt(i))) {
                        i++;
                    }
                    int ns = i;
                    while (i < n && (Character.isLetterOrDigit(q.charAt(i)) || q.charAt(i) == '_')) {
                        i++;
                    }
                    return new String[] {word, ns == i ? null : q.substring(ns, i)};
                }
            } else {
                i++;
            }
        }
        return new String[] {"operation", null};
    }

    private static int firstSignificant(String q, int n) {
        int i = 0;
        while (i < n) {
            char c = q.charAt(i);
            if (c == '#') {
                while (i < n && q.charAt(i) != '\n') {
                    i++;
                }
            } else if (Character.isWhitespace(c) || c == ',') {
                i++;
            } else {
                return i;
            }
        }
        return -1;
    }
}
