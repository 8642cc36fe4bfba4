package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.util.ArrayList;
import java.util.List;

/**
 * SockJS framing on its WebSocket transport ({@code /prefix/<server>/<session>/websocket}). The
 * server sends {@code o} (open), {@code h} (heartbeat), {@code a[...]} (a JSON array of messages,
 * each a string), {@code m"..."} (one message, older servers) and {@code c[code,"reason"]}
 * (close); the client sends a JSON array of strings (or one JSON string). Every message is a
 * string of the application; one that is itself JSON is shown parsed.
 */
final class SockJsDecoder implements PayloadDecoder {
    static final String NAME = "sockjs";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Messages named in a summary; the rest are counted. */
    private static final int SHOWN = 3;

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The WebSocket URL of SockJS: {@code .../<server>/<session>/websocket}, the server id digits
     * (sockjs-client and Spring's client both use a random number below 1000) and the session id
     * without dots; Phoenix's {@code /socket/websocket?vsn=} is not it.
     */
    @Override
    public boolean claims(String subprotocol, String url) {
        if (url == null) {
            return false;
        }
        int q = url.indexOf('?');
        if (q >= 0 && url.indexOf("vsn=", q) >= 0) {
            return false;
        }
        String path = q < 0 ? url : url.substring(0, q);
        String[] seg = path.split("/", -1);
        int n = seg.length;
        if (n < 4 || !seg[n - 1].equals("websocket")) {
            return false;
        }
        String server = seg[n - 3];
        String session = seg[n - 2];
        return !server.isEmpty() && server.length() <= 8 && server.chars().allMatch(Character::isDigit)
                && !session.isEmpty() && session.length() <= 128 && session.indexOf('.') < 0;
    }

    @Override
    public boolean sniff(Message m) {
        if (!m.isText() || m.truncated() || m.payload().length == 0) {
            return false;
        }
        byte c = m.payload()[0];
        if (c == 'o') {
            return m.payload().length == 1;
        }
        if (c == 'a' || c == 'c') {
            Decoded d = frame(m.text(), Direction.S2C);
            return d.ok();
        }
        return false;
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        if (!m.isText()) {
            return Decoded.failed(NAME, "SockJS frames are text; a binary message is none.");
        }
        if (m.truncated()) {
            return Decoded.failed(NAME, "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so it cannot be read as " + NAME + ".");
        }
        return frame(m.text(), dir);
    }

    private static Decoded frame(String t, Direction dir) {
        if (t.isEmpty()) {
            return Decoded.failed(NAME, "An empty message is no SockJS frame (o, h, a, m, c, or the client's JSON array).");
        }
        char c = t.charAt(0);
        String rest = t.substring(1);
        ObjectNode v = F.objectNode();
        switch (c) {
            case 'o', 'h' -> {
                if (!rest.isEmpty()) {
                    return Decoded.failed(NAME, "A SockJS '" + c + "' frame is that one letter, but this one goes on.");
                }
                v.put("frame", c == 'o' ? "open" : "heartbeat");
                return Decoded.of(NAME, c == 'o' ? "open" : "heartbeat", v);
            }
            case 'c' -> {
                JsonNode n = json(rest);
                if (n == null || !n.isArray() || n.size() != 2 || !n.get(0).canConvertToInt() || !n.get(1).isTextual()) {
                    return Decoded.failed(NAME, "A SockJS close frame is c followed by [code, \"reason\"].");
                }
                v.put("frame", "close");
                v.put("code", n.get(0).asInt());
                v.put("reason", n.get(1).asText());
                return Decoded.of(NAME, "close " + n.get(0).asInt() + " " + Json.quote(n.get(1).asText()), v);
            }
            case 'a' -> {
                return messages(rest, json(rest), "message", "A SockJS 'a' frame carries a JSON array of strings.");
            }
            case 'm' -> {
                JsonNode n = json(rest);
                if (n == null || !n.isTextual()) {
                    return Decoded.failed(NAME, "A SockJS 'm' frame carries one JSON string.");
                }
                ArrayNode one = F.arrayNode().add(n);
                return messages(rest, one, "message", null);
            }
            case '[', '"' -> {
                JsonNode n = json(t);
                if (n != null && n.isTextual()) {
                    n = F.arrayNode().add(n);
                }
                return messages(t, n, "send", "What a SockJS client sends is a JSON array of strings.");
            }
            default -> {
                return Decoded.failed(NAME, "A SockJS frame starts with o, h, a, m or c (or is the client's JSON array),"
                        + " not " + Json.quote(t.substring(0, Math.min(t.length(), 8))) + ".");
            }
        }
    }

    private static Decoded messages(String raw, JsonNode n, String verb, String shape) {
        if (n == null || !n.isArray()) {
            return Decoded.failed(NAME, shape);
        }
        ArrayNode out = F.arrayNode();
        List<String> shown = new ArrayList<>();
        for (JsonNode s : n) {
            if (!s.isTextual()) {
                return Decoded.failed(NAME, shape + " Member " + (out.size() + 1) + " is not a string.");
            }
            ObjectNode one = F.objectNode();
            String text = s.asText();
            one.put("text", text);
            JsonNode inner = looksJson(text) ? json(text) : null;
            if (inner != null) {
                one.set("json", inner);
            }
            out.add(one);
            if (shown.size() < SHOWN) {
                shown.add(inner != null ? "json " + JsonDecoder.summary(inner) : Json.quote(text));
            }
        }
        ObjectNode v = F.objectNode();
        v.put("frame", verb.equals("send") ? "send" : "messages");
        v.set("messages", out);
        String list = String.join(", ", shown) + (n.size() > shown.size() ? ", …" : "");
        String s = n.size() == 1 ? verb + " " + list : verb + "s " + n.size() + ": " + list;
        if (n.isEmpty()) {
            s = verb + "s 0";
        }
        return Decoded.of(NAME, s, v);
    }

    /** Whether the text starts, after white space, with { or [ (then it is worth parsing). */
    static boolean looksJson(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    private static JsonNode json(String s) {
        try {
            JsonNode n = STRICT.readTree(s);
            return n == null || n.isMissingNode() ? null : n;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
