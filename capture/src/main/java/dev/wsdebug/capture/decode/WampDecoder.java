package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * WAMP v2 (wamp-proto.org): every message is an array whose first element is the message type,
 * JSON text under {@code wamp.2.json}, MessagePack under {@code wamp.2.msgpack} (CBOR under
 * {@code wamp.2.cbor}). The summary names the type, the URI (realm, topic, procedure, error), the
 * request and the other ids, and how many positional arguments the message carries.
 *
 * <p>An EVENT names only its subscription and an INVOCATION only its registration; the connection's
 * SUBSCRIBE/SUBSCRIBED and REGISTER/REGISTERED exchanges tell which topic and procedure those ids
 * stand for, so the decoder remembers them ({@link Session}) and names the URI again.
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
            // a CBOR array's first byte (0x80-0x97) is a MessagePack map's, and now and then the rest
            // happens to fill that map exactly; a WAMP message is an array, so CBOR gets its turn then too
            if ((!r.ok() || !wampShaped(r.value())) && p.length > 0 && (p[0] & 0xff) >= 0x80 && (p[0] & 0xff) <= 0x9f) {
                BinaryTrees.Result c = BinaryTrees.cbor(p, 0, p.length);
                r = c.ok() && (wampShaped(c.value()) || !r.ok()) ? c : r;
            }
            if (!r.ok()) {
                return Decoded.failed(name(), r.problem());
            }
            n = r.value();
        }
        if (!wampShaped(n)) {
            return Decoded.failed(name(), "A WAMP message is an array that starts with its type number, this is not.");
        }
        int code = n.get(0).asInt();
        String type = TYPES.get(code);
        if (type == null) {
            return Decoded.failed(name(), code + " is no WAMP v2 message type.");
        }
        if (!complete(type, n.size())) {
            return Decoded.failed(name(), "The " + type + " message lacks the elements WAMP gives it.");
        }
        Session session = state.get(Session.class, Session::new);
        String uri = session.learn(type, n);
        return Decoded.of(name(), summary(type, n, uri), n).withFacets(facets(type, n, uri));
    }

    private static boolean wampShaped(JsonNode n) {
        if (!n.isArray() || n.isEmpty()) {
            return false;
        }
        JsonNode type = n.get(0);
        // a whole number (1.0 from an encoder that writes floats is still HELLO, 1.5 is nothing)
        return type.isNumber() && type.canConvertToInt() && type.doubleValue() == Math.rint(type.doubleValue());
    }

    /**
     * What one connection's WAMP session said about its ids: the topic of each subscription and the
     * procedure of each registration (from the request that asked for it and the answer that gave
     * the id), bounded, the oldest forgotten first.
     */
    static final class Session {
        static final int MAX = 10_000;
        private final Map<String, String> asked = bounded();
        private final Map<String, String> subscriptions = bounded();
        private final Map<String, String> registrations = bounded();

        private static Map<String, String> bounded() {
            return new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > MAX;
                }
            };
        }

        /** Remembers what this message tells, and returns the URI it is about (null when unknown). */
        String learn(String type, JsonNode n) {
            String request = id(n.get(1));
            switch (type) {
                case "SUBSCRIBE", "REGISTER", "PUBLISH", "CALL" -> {
                    String uri = n.get(3).isTextual() ? n.get(3).asText() : null;
                    if (uri != null && request != null && (type.equals("SUBSCRIBE") || type.equals("REGISTER"))) {
                        asked.put(type + " " + request, uri);
                    }
                    return uri;
                }
                case "SUBSCRIBED", "REGISTERED" -> {
                    String uri = asked.remove((type.equals("SUBSCRIBED") ? "SUBSCRIBE " : "REGISTER ") + request);
                    String id = id(n.get(2));
                    if (uri != null && id != null) {
                        (type.equals("SUBSCRIBED") ? subscriptions : registrations).put(id, uri);
                    }
                    return uri;
                }
                case "ERROR" -> {
                    // a refused SUBSCRIBE or REGISTER gives no id to remember
                    String code = id(n.get(1));
                    String refused = "32".equals(code) ? "SUBSCRIBE " : "64".equals(code) ? "REGISTER " : null;
                    if (refused != null) {
                        asked.remove(refused + id(n.get(2)));
                    }
                    return null;
                }
                case "EVENT" -> {
                    // a pattern-based subscription's EVENT names its topic in Details (WAMP 14.4.3)
                    String topic = detail(n.get(3), "topic");
                    return topic != null ? topic : subscriptions.get(request);
                }
                case "INVOCATION" -> {
                    String procedure = detail(n.get(3), "procedure");
                    return procedure != null ? procedure : registrations.get(id(n.get(2)));
                }
                case "UNSUBSCRIBE" -> {
                    return subscriptions.get(id(n.get(2)));
                }
                case "UNREGISTER" -> {
                    return registrations.get(id(n.get(2)));
                }
                default -> {
                    return null;
                }
            }
        }

        private static String detail(JsonNode details, String key) {
            JsonNode v = details.isObject() ? details.get(key) : null;
            return v != null && v.isTextual() ? v.asText() : null;
        }
    }

    /**
     * A WAMP id as its digits: an integer, or a float that holds an integer exactly (cbor-x writes
     * numbers above 2^32 as float64, so a router using it sends its ids that way); null for
     * anything else.
     */
    static String id(JsonNode n) {
        if (n == null || !n.isNumber()) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return n.asText();
        }
        double d = n.doubleValue();
        return d == Math.rint(d) && Math.abs(d) <= 0x1p53 ? Long.toString((long) d) : null;
    }

    /** An id for a summary: its digits, or the element as written when it is no id. */
    private static String shown(JsonNode n) {
        String id = id(n);
        return id != null ? id : n.toString();
    }

    /** Whether the message has the elements its type must have (optional ones may be missing). */
    private static boolean complete(String type, int size) {
        int least = switch (type) {
            case "ERROR" -> 5;
            case "PUBLISH", "CALL", "SUBSCRIBE", "REGISTER", "EVENT", "INVOCATION" -> 4;
            case "HELLO", "WELCOME", "ABORT", "GOODBYE", "CHALLENGE", "AUTHENTICATE", "PUBLISHED", "SUBSCRIBED",
                 "UNSUBSCRIBE", "REGISTERED", "UNREGISTER", "RESULT", "YIELD" -> 3;
            default -> 2;
        };
        return size >= least;
    }

    /**
     * Requests (CALL, SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER, and the router's
     * INVOCATION) carry their request id second; their answers (RESULT, SUBSCRIBED…, YIELD, ERROR)
     * carry it second too, ERROR third. A session's request ids never repeat across kinds (WAMP 7.2).
     * HELLO is answered by WELCOME or ABORT, a GOODBYE by the other side's GOODBYE with the reason
     * {@code wamp.close.goodbye_and_out}. Topics (PUBLISH, SUBSCRIBE, EVENT, UNSUBSCRIBE) are the
     * {@code topic} facet, procedures (CALL, REGISTER, INVOCATION, UNREGISTER) the {@code method}.
     */
    private static Map<String, String> facets(String type, JsonNode n, String uri) {
        Map<String, String> f = new HashMap<>();
        f.put(Facets.OP, type);
        String second = id(n.get(1));
        f.put(Facets.NAME, uri == null ? type : type + " " + uri);
        switch (type) {
            case "PUBLISH", "SUBSCRIBE", "UNSUBSCRIBE" -> {
                f.put(Facets.REQUEST_ID, second);
                f.put(Facets.TOPIC, uri);
            }
            case "CALL", "REGISTER", "UNREGISTER", "INVOCATION" -> {
                f.put(Facets.REQUEST_ID, second);
                f.put(Facets.METHOD, uri);
            }
            case "EVENT" -> f.put(Facets.TOPIC, uri);
            case "SUBSCRIBED" -> {
                f.put(Facets.RESPONSE_ID, second);
                f.put(Facets.TOPIC, uri);
            }
            case "REGISTERED" -> {
                f.put(Facets.RESPONSE_ID, second);
                f.put(Facets.METHOD, uri);
            }
            case "RESULT", "PUBLISHED", "UNSUBSCRIBED", "UNREGISTERED", "YIELD" -> f.put(Facets.RESPONSE_ID, second);
            case "ERROR" -> f.put(Facets.RESPONSE_ID, id(n.get(2)));
            case "HELLO" -> f.put(Facets.REQUEST_ID, "hello");
            case "WELCOME", "ABORT" -> f.put(Facets.RESPONSE_ID, "hello");
            case "GOODBYE" -> f.put(n.get(2).isTextual() && n.get(2).asText().equals("wamp.close.goodbye_and_out")
                    ? Facets.RESPONSE_ID : Facets.REQUEST_ID, "goodbye");
            default -> {
            }
        }
        return f;
    }

    /** The one line: the type, the URI (when the message or the session names one), ids, arguments. */
    private static String summary(String type, JsonNode n, String uri) {
        String about = uri == null ? "" : " " + uri;
        return switch (type) {
            case "HELLO" -> type + " " + text(n.get(1));
            case "WELCOME" -> type + " session=" + shown(n.get(1));
            case "ABORT", "GOODBYE" -> type + " " + text(n.get(2));
            case "CHALLENGE" -> type + " " + text(n.get(1));
            case "AUTHENTICATE" -> type;
            case "ERROR" -> type + " " + TYPES.getOrDefault(n.get(1).asInt(), n.get(1).toString())
                    + " request=" + shown(n.get(2)) + " " + text(n.get(4)) + args(n, 5);
            case "PUBLISH", "CALL" -> type + " " + text(n.get(3)) + " request=" + shown(n.get(1)) + args(n, 4);
            case "SUBSCRIBE", "REGISTER" -> type + " " + text(n.get(3)) + " request=" + shown(n.get(1));
            case "PUBLISHED" -> type + " request=" + shown(n.get(1)) + " publication=" + shown(n.get(2));
            case "SUBSCRIBED" -> type + about + " request=" + shown(n.get(1)) + " subscription=" + shown(n.get(2));
            case "UNSUBSCRIBE" -> type + about + " request=" + shown(n.get(1)) + " subscription=" + shown(n.get(2));
            case "REGISTERED", "UNREGISTER" -> type + about + " request=" + shown(n.get(1)) + " registration=" + shown(n.get(2));
            case "UNSUBSCRIBED", "UNREGISTERED", "CANCEL", "INTERRUPT" -> type + " request=" + shown(n.get(1));
            case "EVENT" -> type + about + " subscription=" + shown(n.get(1)) + " publication=" + shown(n.get(2)) + args(n, 4);
            case "RESULT", "YIELD" -> type + " request=" + shown(n.get(1)) + args(n, 3);
            case "INVOCATION" -> type + about + " request=" + shown(n.get(1)) + " registration=" + shown(n.get(2)) + args(n, 4);
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
