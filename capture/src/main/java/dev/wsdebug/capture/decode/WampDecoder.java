package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.util.Locale;
import java.util.Map;

/**
 * WAMP v2 (wamp-proto.org): every message is an array whose first element is the message type,
 * JSON text under {@code wamp.2.json}, MessagePack under {@code wamp.2.msgpack} (CBOR under
 * {@code wamp.2.cbor}). The summary names the type, the URI (realm, topic, procedure, error), the
 * request and the other ids, and how many positional arguments the message carries.
 */
final class WampDecoder implements PayloadDecoder {
    private static final Map<Integer, String> TYPES = Map.ofEntries(Map.entry(1, "HELLO"), Map.entry(2, "WELCOME"),
            Map.entry(3, "ABORT"), Map.entry(4, "CHALLENGE"), Map.entry(5, "AUTHENTICATE"), Map.entry(6, "GOODBYE"),
            Map.entry(8, "ERROR"), Map.entry(16, "PUBLISH"), Map.entry(17, "PUBLISHED"), Map.entry(32, "SUBSCRIBE"),
            Map.entry(33, "SUBSCRIBED"), Map.entry(34, "UNSUBSCRIBE"), Map.entry(35, "UNSUBSCRIBED"), Map.entry(36, "EVENT"),
            Map.entry(48, "CALL"), Map.entry(49, "CANCEL"), Map.entry(50, "RESULT"), Map.entry(64, "REGISTER"),
            Map.entry(65, "REGISTERED"), Map.entry(66, "UNREGISTER"), Map.entry(67, "UNREGISTERED"),
            Map.entry(68, "INVOCATION"), Map.entry(69, "INTERRUPT"), Map.entry(70, "YIELD"));

    @Override
    public String name() {
        return "wamp";
    }

    @Override
    public boolean claims(String subprotocol, String url) {
        return subprotocol != null && subprotocol.trim().toLowerCase(Locale.ROOT).startsWith("wamp.2.");
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        JsonNode n;
        if (m.isText()) {
            Object parsed = Json.parse(name(), m, m.text());
            if (parsed instanceof Decoded failed) {
                return failed;
            }
            n = (JsonNode) parsed;
        } else {
            if (m.truncated()) {
                return Decoded.failed(name(), "Only the first " + m.payload().length + " of " + m.length()
                        + " bytes of this message were kept, so it cannot be read as WAMP.");
            }
            byte[] p = m.payload();
            BinaryTrees.Result r = BinaryTrees.msgpack(p, 0, p.length);
            if (!r.ok() && p.length > 0 && (p[0] & 0xff) >= 0x80 && (p[0] & 0xff) <= 0x9f) {
                BinaryTrees.Result c = BinaryTrees.cbor(p, 0, p.length);
                r = c.ok() ? c : r;
            }
            if (!r.ok()) {
                return Decoded.failed(name(), r.problem());
            }
            n = r.value();
        }
        if (!n.isArray() || n.isEmpty() || !n.get(0).canConvertToInt()) {
            return Decoded.failed(name(), "A WAMP message is an array that starts with its type number, this is not.");
        }
        int code = n.get(0).asInt();
        String type = TYPES.get(code);
        if (type == null) {
            return Decoded.failed(name(), code + " is no WAMP v2 message type.");
        }
        String s = summary(type, n);
        return s == null ? Decoded.failed(name(), "The " + type + " message lacks the elements WAMP gives it.")
                : Decoded.of(name(), s, n).withFacets(facets(type, n));
    }

    /**
     * Requests (CALL, SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER, and the router's
     * INVOCATION) carry their request id second; their answers (RESULT, SUBSCRIBED…, YIELD, ERROR)
     * carry it second too, ERROR third. A session's request ids never repeat across kinds (WAMP 7.2).
     */
    private static java.util.Map<String, String> facets(String type, JsonNode n) {
        java.util.Map<String, String> f = new java.util.HashMap<>();
        f.put(Facets.OP, type);
        String second = n.size() > 1 && n.get(1).isIntegralNumber() ? n.get(1).asText() : null;
        switch (type) {
            case "CALL", "PUBLISH", "SUBSCRIBE", "REGISTER" -> {
                String uri = n.size() > 3 && n.get(3).isTextual() ? n.get(3).asText() : null;
                f.put(Facets.REQUEST_ID, second);
                f.put(Facets.NAME, uri == null ? type : type + " " + uri);
                f.put(Facets.METHOD, uri);
            }
            case "UNSUBSCRIBE", "UNREGISTER" -> {
                f.put(Facets.REQUEST_ID, second);
                f.put(Facets.NAME, type);
            }
            case "INVOCATION" -> {
                f.put(Facets.REQUEST_ID, second);
                f.put(Facets.NAME, type);
            }
            case "RESULT", "PUBLISHED", "SUBSCRIBED", "UNSUBSCRIBED", "REGISTERED", "UNREGISTERED", "YIELD" ->
                    f.put(Facets.RESPONSE_ID, second);
            case "ERROR" -> f.put(Facets.RESPONSE_ID, n.size() > 2 && n.get(2).isIntegralNumber() ? n.get(2).asText() : null);
            case "HELLO" -> f.put(Facets.REQUEST_ID, "hello");
            case "WELCOME", "ABORT" -> f.put(Facets.RESPONSE_ID, "hello");
            default -> {
            }
        }
        return f;
    }

    private static String summary(String type, JsonNode n) {
        int size = n.size();
        return switch (type) {
            case "HELLO" -> size < 3 ? null : type + " " + text(n.get(1));
            case "WELCOME" -> size < 3 ? null : type + " session=" + n.get(1).asText();
            case "ABORT", "GOODBYE" -> size < 3 ? null : type + " " + text(n.get(2));
            case "CHALLENGE" -> size < 3 ? null : type + " " + text(n.get(1));
            case "AUTHENTICATE" -> size < 3 ? null : type;
            case "ERROR" -> size < 5 ? null : type + " " + TYPES.getOrDefault(n.get(1).asInt(), n.get(1).asText())
                    + " request=" + n.get(2).asText() + " " + text(n.get(4)) + args(n, 5);
            case "PUBLISH", "CALL" -> size < 4 ? null : type + " " + text(n.get(3)) + " request=" + n.get(1).asText() + args(n, 4);
            case "SUBSCRIBE", "REGISTER" -> size < 4 ? null : type + " " + text(n.get(3)) + " request=" + n.get(1).asText();
            case "PUBLISHED" -> size < 3 ? null : type + " request=" + n.get(1).asText() + " publication=" + n.get(2).asText();
            case "SUBSCRIBED", "UNSUBSCRIBE" -> size < 3 ? null : type + " request=" + n.get(1).asText() + " subscription=" + n.get(2).asText();
            case "REGISTERED", "UNREGISTER" -> size < 3 ? null : type + " request=" + n.get(1).asText() + " registration=" + n.get(2).asText();
            case "UNSUBSCRIBED", "UNREGISTERED", "CANCEL", "INTERRUPT" -> size < 2 ? null : type + " request=" + n.get(1).asText();
            case "EVENT" -> size < 4 ? null : type + " subscription=" + n.get(1).asText() + " publication=" + n.get(2).asText() + args(n, 4);
            case "RESULT", "YIELD" -> size < 3 ? null : type + " request=" + n.get(1).asText() + args(n, 3);
            case "INVOCATION" -> size < 4 ? null : type + " request=" + n.get(1).asText() + " registration=" + n.get(2).asText() + args(n, 4);
            default -> type;
        };
    }

    private static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : n.toString();
    }

    /** " (k args)" and " +kwargs" for the optional Arguments and ArgumentsKw at index i. */
    private static String args(JsonNode n, int i) {
        StringBuilder s = new StringBuilder();
        if (n.size() > i && n.get(i).isArray()) {
            s.append(" (").append(n.get(i).size()).append(n.get(i).size() == 1 ? " arg)" : " args)");
        }
        if (n.size() > i + 1 && n.get(i + 1).isObject() && !n.get(i + 1).isEmpty()) {
            s.append(" +kwargs {").append(String.join(", ", (Iterable<String>) n.get(i + 1)::fieldNames)).append('}');
        }
        return s.toString();
    }
}
