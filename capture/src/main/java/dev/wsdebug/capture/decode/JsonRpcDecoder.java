package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.util.ArrayList;
import java.util.List;

/**
 * JSON-RPC 2.0 (jsonrpc.org/specification): requests ({@code method}, {@code params}, an
 * {@code id}), notifications (no id), responses ({@code result} or {@code error} with its code and
 * message) and batches of them.
 */
final class JsonRpcDecoder implements PayloadDecoder {
    @Override
    public String name() {
        return "jsonrpc";
    }

    @Override
    public boolean claims(String subprotocol, String url) {
        return subprotocol != null && subprotocol.toLowerCase(java.util.Locale.ROOT).contains("jsonrpc");
    }

    @Override
    public boolean sniff(Message m) {
        if (!Json.startsWith(m, "{[")) {
            return false;
        }
        String head = new String(m.payload(), 0, Math.min(m.payload().length, 256), java.nio.charset.StandardCharsets.UTF_8);
        return head.contains("\"jsonrpc\"");
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        if (!m.isText()) {
            return Decoded.failed(name(), "A binary message is not JSON-RPC, which is JSON text.");
        }
        Object parsed = Json.parse(name(), m, m.text());
        if (parsed instanceof Decoded failed) {
            return failed;
        }
        JsonNode n = (JsonNode) parsed;
        if (n.isArray()) {
            if (n.isEmpty()) {
                return Decoded.failed(name(), "An empty array is not a JSON-RPC batch (it needs at least one member).");
            }
            List<String> parts = new ArrayList<>();
            for (JsonNode e : n) {
                String s = one(e);
                if (s == null) {
                    return Decoded.failed(name(), "Member " + (parts.size() + 1) + " of the batch is not a JSON-RPC 2.0"
                            + " request or response.");
                }
                parts.add(s);
            }
            return Decoded.of(name(), "batch of " + n.size() + ": " + String.join("; ", parts), n);
        }
        String s = one(n);
        return s == null ? Decoded.failed(name(), "Not a JSON-RPC 2.0 request or response: it needs \"jsonrpc\":\"2.0\""
                + " and a method, a result or an error.") : Decoded.of(name(), s, n).withFacets(facets(n));
    }

    /** The method, and the id a call waits under or a response answers (ids compared as JSON text). */
    private static java.util.Map<String, String> facets(JsonNode n) {
        java.util.Map<String, String> f = new java.util.HashMap<>();
        JsonNode id = n.get("id");
        String ids = id == null || id.isNull() ? null : id.toString();
        if (n.has("method")) {
            f.put(Facets.METHOD, n.path("method").asText());
            f.put(Facets.NAME, n.path("method").asText());
            f.put(Facets.OP, ids == null ? "notification" : "call");
            f.put(Facets.REQUEST_ID, ids);
        } else {
            f.put(Facets.OP, n.has("error") ? "error" : "result");
            f.put(Facets.RESPONSE_ID, ids);
        }
        return f;
    }

    /** One request, notification or response in a line, or null when it is none of them. */
    private static String one(JsonNode n) {
        if (!n.isObject() || !"2.0".equals(n.path("jsonrpc").asText(null))) {
            return null;
        }
        JsonNode id = n.get("id");
        if (n.has("method")) {
            return (id == null ? "notification " : "call ") + n.path("method").asText() + (id == null ? "" : " id=" + Json.scalar(id));
        }
        if (n.has("error")) {
            JsonNode e = n.get("error");
            return "error id=" + Json.scalar(id) + " " + e.path("code").asText("?") + " " + Json.quote(e.path("message").asText(""));
        }
        if (n.has("result")) {
            return "result id=" + Json.scalar(id);
        }
        return null;
    }
}
