package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Phoenix Channels: serializer 1.0.0 sends objects {@code {"topic","event","payload","ref"}}
 * (with {@code join_ref} since 1.3), serializer 2.0.0 arrays
 * {@code [join_ref, ref, topic, event, payload]} and, for binary payloads, binary messages: a kind
 * byte (0 push, 1 reply, 2 broadcast), the lengths of the strings that follow (a push from the
 * client: join_ref, ref, topic, event; a push from the server: join_ref, topic, event; a reply:
 * join_ref, ref, topic, status; a broadcast: topic, event), the strings, then the payload bytes.
 */
final class PhoenixDecoder implements PayloadDecoder {
    static final String NAME = "phoenix";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String SHAPE = "A Phoenix message is [join_ref, ref, topic, event, payload] (vsn 2.0.0) or"
            + " {\"topic\", \"event\", \"payload\", \"ref\"} (vsn 1.0.0)";

    @Override
    public String name() {
        return NAME;
    }

    /** Phoenix.Socket's URL: {@code .../websocket?vsn=2.0.0} (or 1.0.0). */
    @Override
    public boolean claims(String subprotocol, String url) {
        if (url == null) {
            return false;
        }
        int q = url.indexOf('?');
        if (q < 0 || !url.substring(0, q).endsWith("/websocket")) {
            return false;
        }
        for (String p : url.substring(q + 1).split("&")) {
            if (p.equals("vsn=2.0.0") || p.equals("vsn=1.0.0")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean sniff(Message m) {
        if (!Json.startsWith(m, "[{") || m.truncated()) {
            return false;
        }
        JsonNode n = json(m.text());
        if (n == null || !(read(n) instanceof ObjectNode)) {
            return false;
        }
        // an array of five strings is common enough: Phoenix's refs are counters and its payloads objects
        return n.isObject() || counter(n.get(0)) && counter(n.get(1)) && n.get(4).isObject();
    }

    /** A ref as phoenix.js makes it: null or a counter as a string. */
    private static boolean counter(JsonNode n) {
        return n.isNull() || n.isTextual() && !n.asText().isEmpty() && n.asText().length() <= 18
                && n.asText().chars().allMatch(Character::isDigit);
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        if (!m.isText()) {
            return binary(m, dir);
        }
        Object parsed = Json.parse(NAME, m, m.text());
        if (parsed instanceof Decoded failed) {
            return failed;
        }
        Object r = read((JsonNode) parsed);
        if (r instanceof String why) {
            return Decoded.failed(NAME, why);
        }
        ObjectNode v = (ObjectNode) r;
        return Decoded.of(NAME, summary(v, null), v).withFacets(facets(v));
    }

    /**
     * What filters and pairing use: the event and the topic; a client message with a ref waits
     * under it (per topic) for the server's phx_reply with the same ref.
     */
    private static java.util.Map<String, String> facets(JsonNode v) {
        java.util.Map<String, String> f = new java.util.HashMap<>();
        String event = v.path("event").asText(null);
        String topic = v.path("topic").asText(null);
        String ref = v.path("ref").isNull() || v.path("ref").isMissingNode() ? null : v.path("ref").asText();
        f.put(Facets.OP, event);
        f.put(Facets.EVENT, event);
        f.put(Facets.TOPIC, topic);
        f.put(Facets.NAME, event == null ? null : topic == null ? event : event + " " + topic);
        if (ref != null && topic != null) {
            f.put("phx_reply".equals(event) ? Facets.RESPONSE_ID : Facets.REQUEST_ID, topic + " " + ref);
        }
        return f;
    }

    /** The message as {join_ref, ref, topic, event, payload}, or a sentence saying why it is none. */
    private static Object read(JsonNode n) {
        ObjectNode v = F.objectNode();
        if (n.isArray()) {
            if (n.size() != 5) {
                return SHAPE + "; this array has " + n.size() + " members.";
            }
            if (!refLike(n.get(0)) || !refLike(n.get(1))) {
                return SHAPE + "; join_ref and ref are strings or null.";
            }
            if (!n.get(2).isTextual() || !n.get(3).isTextual()) {
                return SHAPE + "; topic and event are strings.";
            }
            v.put("vsn", "2.0.0");
            v.set("join_ref", n.get(0));
            v.set("ref", n.get(1));
            v.set("topic", n.get(2));
            v.set("event", n.get(3));
            v.set("payload", n.get(4));
            return v;
        }
        if (n.isObject()) {
            if (!n.path("topic").isTextual() || !n.path("event").isTextual() || !n.has("payload")
                    || !refLike(n.path("ref")) || n.has("join_ref") && !refLike(n.get("join_ref"))) {
                return SHAPE + "; this object lacks a string topic or event, a payload or a ref.";
            }
            v.put("vsn", "1.0.0");
            v.set("join_ref", n.has("join_ref") ? n.get("join_ref") : F.nullNode());
            v.set("ref", n.get("ref"));
            v.set("topic", n.get("topic"));
            v.set("event", n.get("event"));
            v.set("payload", n.get("payload"));
            return v;
        }
        return SHAPE + ", not " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ".";
    }

    private static boolean refLike(JsonNode n) {
        return n != null && (n.isNull() || n.isTextual() || n.isIntegralNumber());
    }

    private static String summary(ObjectNode v, String binary) {
        String event = v.path("event").asText();
        StringBuilder s = new StringBuilder(event);
        JsonNode payload = v.get("payload");
        if (event.equals("phx_reply")) {
            s.append(' ').append(payload.path("status").asText("?"));
        }
        s.append(" topic=").append(v.path("topic").asText());
        JsonNode ref = v.get("ref");
        if (ref != null && !ref.isNull()) {
            s.append(" ref=").append(ref.asText());
        }
        if (binary != null) {
            s.append(" (").append(binary).append(" binary payload)");
        } else if (event.equals("phx_reply")) {
            JsonNode resp = payload.path("response");
            if (resp.isObject() && !resp.isEmpty()) {
                s.append(" response ").append(JsonDecoder.summary(resp));
            }
        }
        return s.toString();
    }

    /** A binary message of serializer 2.0.0. */
    private static Decoded binary(Message m, Direction dir) {
        byte[] b = m.payload();
        if (b.length < 1) {
            return Decoded.failed(NAME, "An empty binary message is no Phoenix message.");
        }
        int kind = b[0] & 0xff;
        int[] sizes;
        String[] names;
        if (kind == 0 && dir == Direction.C2S) {
            names = new String[] {"join_ref", "ref", "topic", "event"};
        } else if (kind == 0) {
            names = new String[] {"join_ref", "topic", "event"};
        } else if (kind == 1) {
            names = new String[] {"join_ref", "ref", "topic", "status"};
        } else if (kind == 2) {
            names = new String[] {"topic", "event"};
        } else {
            return Decoded.failed(NAME, "A binary Phoenix message starts with its kind, 0 (push), 1 (reply) or 2"
                    + " (broadcast), not " + kind + ".");
        }
        if (b.length < 1 + names.length) {
            return Decoded.failed(NAME, "This binary Phoenix message ends inside its header.");
        }
        sizes = new int[names.length];
        int off = 1 + names.length;
        ObjectNode v = F.objectNode();
        v.put("vsn", "2.0.0");
        v.put("kind", kind == 0 ? "push" : kind == 1 ? "reply" : "broadcast");
        v.putNull("join_ref");
        v.putNull("ref");
        for (int i = 0; i < names.length; i++) {
            sizes[i] = b[1 + i] & 0xff;
            if (off + sizes[i] > b.length) {
                return Decoded.failed(NAME, "This binary Phoenix message ends inside its " + names[i] + ".");
            }
            v.put(names[i], new String(b, off, sizes[i], StandardCharsets.UTF_8));
            off += sizes[i];
        }
        byte[] payload = Arrays.copyOfRange(b, off, b.length);
        long payloadLength = m.length() - off;
        ObjectNode data = SocketIoDecoder.bin(payload, payloadLength);
        if (kind == 1) {
            ObjectNode p = F.objectNode();
            p.set("status", v.remove("status"));
            p.set("response", data);
            v.put("event", "phx_reply");
            v.set("payload", p);
        } else {
            v.set("payload", data);
        }
        return Decoded.of(NAME, summary(v, payloadLength + " B"), v).withFacets(facets(v));
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
