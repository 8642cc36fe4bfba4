package dev.wsdebug.capture.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Violation;

import java.util.ArrayList;
import java.util.List;

/** The JSON text columns of a capture: HTTP heads, deflate parameters, problems, violations. */
final class Codec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Codec() {
    }

    /** {@code {"startLine": "...", "headers": [[name, value], ...], "length": n}}, or null. */
    static String head(HttpHead h) {
        if (h == null) {
            return null;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("startLine", h.startLine());
        ArrayNode headers = o.putArray("headers");
        for (HttpHead.Header hd : h.headers()) {
            headers.addArray().add(hd.name()).add(hd.value());
        }
        o.put("length", h.length());
        return write(o);
    }

    static HttpHead head(String json) {
        if (json == null) {
            return null;
        }
        JsonNode o = read(json);
        List<HttpHead.Header> headers = new ArrayList<>();
        for (JsonNode hd : o.path("headers")) {
            headers.add(new HttpHead.Header(hd.path(0).asText(), hd.path(1).asText()));
        }
        return new HttpHead(o.path("startLine").asText(), List.copyOf(headers), o.path("length").asInt());
    }

    /**
     * The four parameters as negotiated, with the window bits as written in the header: 0 when
     * absent, -1 for a client_max_window_bits without a value.
     */
    static String deflate(DeflateParams d) {
        if (d == null) {
            return null;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("clientNoContextTakeover", d.clientNoContextTakeover());
        o.put("serverNoContextTakeover", d.serverNoContextTakeover());
        o.put("clientMaxWindowBits", d.clientMaxWindowBits());
        o.put("serverMaxWindowBits", d.serverMaxWindowBits());
        return write(o);
    }

    /** The {@code connections.assumed} value: "none" for no permessage-deflate, else its parameters. */
    static String assumed(DeflateParams d) {
        return d == null ? "none" : deflate(d);
    }

    /** The parameters of an {@code assumed} value ("none": null). */
    static DeflateParams assumed(String value) {
        return "none".equals(value) ? null : deflate(value);
    }

    static DeflateParams deflate(String json) {
        if (json == null) {
            return null;
        }
        JsonNode o = read(json);
        return new DeflateParams(o.path("clientNoContextTakeover").asBoolean(), o.path("serverNoContextTakeover").asBoolean(),
                o.path("clientMaxWindowBits").asInt(), o.path("serverMaxWindowBits").asInt());
    }

    /** A JSON array of strings; null when empty. */
    static String strings(List<String> list) {
        if (list == null || list.isEmpty()) {
            return null;
        }
        ArrayNode a = JSON.createArrayNode();
        list.forEach(a::add);
        return write(a);
    }

    static List<String> strings(String json) {
        if (json == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        read(json).forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    /** {@code [{"rule", "rfc", "offset", "detail"}, ...]} as in JSON Lines; null when there are none. */
    static String violations(List<Violation> vs) {
        if (vs.isEmpty()) {
            return null;
        }
        ArrayNode a = JSON.createArrayNode();
        for (Violation v : vs) {
            a.addObject().put("rule", v.rule()).put("rfc", v.rfc()).put("offset", v.offset()).put("detail", v.detail());
        }
        return write(a);
    }

    static List<Violation> violations(String json) {
        if (json == null) {
            return List.of();
        }
        List<Violation> out = new ArrayList<>();
        for (JsonNode v : read(json)) {
            out.add(new Violation(v.path("rule").asText(), v.path("rfc").asText(), v.path("offset").asLong(),
                    v.path("detail").asText()));
        }
        return List.copyOf(out);
    }

    private static String write(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("The capture holds malformed JSON: " + e.getOriginalMessage() + ".");
        }
    }
}
