package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Socket.IO (protocol v5 of Socket.IO 3/4, and v4 of Socket.IO 2) over Engine.IO v4 (and v3) on
 * a WebSocket. An Engine.IO packet is one message: a type digit ({@code 0} open with its JSON,
 * {@code 1} close, {@code 2} ping, {@code 3} pong, {@code 4} message, {@code 5} upgrade,
 * {@code 6} noop) and its data; a binary message is Engine.IO binary data. A Socket.IO packet is
 * the data of an Engine.IO message: a type digit ({@code 0} CONNECT to {@code 6} BINARY_ACK), for
 * the binary types the number of attachments and {@code -}, a namespace {@code /x,} unless it is
 * {@code /}, the ack id digits, and a JSON payload. A BINARY_EVENT or BINARY_ACK is followed by
 * its attachments, one binary message each, in the same direction; the decoder keeps the packet
 * waiting for them in the {@link DecodeState} and shows the whole packet, placeholders replaced,
 * with its last attachment.
 */
final class SocketIoDecoder implements PayloadDecoder {
    static final String NAME = "socket.io";
    private static final String[] ENGINE = {"open", "close", "ping", "pong", "message", "upgrade", "noop"};
    private static final String[] TYPES = {"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT",
        "BINARY_ACK"};
    /** More attachments than this on one packet is taken for garbage rather than waited for. */
    static final int MAX_ATTACHMENTS = 1000;
    /** How deep placeholders are looked for in a payload. */
    static final int MAX_DEPTH = 64;
    /** Bytes of an attachment shown as base64 in the decoded value; the length is always given. */
    static final int MAX_BASE64 = 4096;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final com.fasterxml.jackson.databind.ObjectReader STRICT = Json.MAPPER.reader()
            .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A binary packet still waiting for attachments, per direction. */
    static final class State {
        final Map<Direction, Pending> pending = new EnumMap<>(Direction.class);
    }

    private static final class Pending {
        final ObjectNode packet;
        final String head;
        final int expected;
        final List<Message> parts = new ArrayList<>();

        Pending(ObjectNode packet, String head, int expected) {
            this.packet = packet;
            this.head = head;
            this.expected = expected;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean claims(String subprotocol, String url) {
        if (url == null) {
            return false;
        }
        int q = url.indexOf('?');
        String path = q < 0 ? url : url.substring(0, q);
        if (path.contains("/socket.io/") || path.endsWith("/socket.io")) {
            return true;
        }
        if (q >= 0) {
            for (String p : url.substring(q + 1).split("&")) {
                if (p.equals("EIO=4") || p.equals("EIO=3")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public boolean sniff(Message m) {
        if (!m.isText() || m.truncated() || m.payload().length < 2) {
            return false;
        }
        String t = m.text();
        if (t.equals("2probe") || t.equals("3probe")) {
            return true;
        }
        char c = t.charAt(0);
        if (c == '0' && t.charAt(1) == '{') {
            JsonNode open = tryJson(t.substring(1));
            return open != null && open.path("sid").isTextual() && open.path("pingInterval").isNumber();
        }
        if (c == '4') {
            // an Engine.IO message carrying a Socket.IO packet that has a namespace or a payload
            Object p = packet(t.substring(1));
            return p instanceof ObjectNode o && (o.has("data") || o.has("args") || !"/".equals(o.path("nsp").asText()));
        }
        return false;
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState ds) {
        Decoded d = read(m, dir, ds);
        if (d.rawValue() != null) {
            return d; // the fast path gave its facets
        }
        return d.ok() && d.value() != null ? d.withFacets(facets(d.value())) : d;
    }

    /**
     * What filters and pairing use: the event name; an EVENT with an ack id waits under it (per
     * namespace) for the ACK with that id; a CONNECT to a namespace for the server's CONNECT; an
     * Engine.IO ping for its pong. An event joined with its attachments counts where it completes.
     */
    private static java.util.Map<String, String> facets(JsonNode v) {
        java.util.Map<String, String> f = new java.util.HashMap<>();
        String type = v.path("type").asText(null);
        String engine = v.path("engineio").asText(null);
        if (type == null) {
            f.put(Facets.OP, engine == null ? null : "engine.io " + engine);
            if ("ping".equals(engine) && !v.path("data").asText("").equals("probe")) {
                f.put(Facets.REQUEST_ID, "ping");
            } else if ("pong".equals(engine) && !v.path("data").asText("").equals("probe")) {
                f.put(Facets.RESPONSE_ID, "ping");
            }
            return f;
        }
        if (v.has("attachment") && !v.has("joined")) {
            return f; // an attachment on its way: the event it completes has the facets
        }
        String nsp = v.path("nsp").asText("/");
        String id = v.has("id") ? v.get("id").asText() : null;
        String event = v.path("event").isTextual() ? v.get("event").asText() : null;
        f.put(Facets.OP, type);
        f.put(Facets.EVENT, event);
        f.put(Facets.NAME, event);
        switch (type) {
            case "EVENT", "BINARY_EVENT" -> f.put(Facets.REQUEST_ID, id == null ? null : nsp + " " + id);
            case "ACK", "BINARY_ACK" -> f.put(Facets.RESPONSE_ID, id == null ? null : nsp + " " + id);
            case "CONNECT" -> {
                boolean answer = v.path("data").has("sid");
                f.put(answer ? Facets.RESPONSE_ID : Facets.REQUEST_ID, "connect " + nsp);
                f.put(Facets.NAME, "CONNECT " + nsp);
            }
            case "CONNECT_ERROR" -> f.put(Facets.RESPONSE_ID, "connect " + nsp);
            default -> {
            }
        }
        return f;
    }

    private Decoded read(Message m, Direction dir, DecodeState ds) {
        State state = ds.get(State.class, State::new);
        if (!m.isText()) {
            return binary(m, m.payload(), dir, state);
        }
        String t = m.text();
        if (t.isEmpty()) {
            return Decoded.failed(NAME, "An empty message is no Engine.IO packet, which starts with a type digit 0-6.");
        }
        char c = t.charAt(0);
        if (c == 'b') {
            // binary data sent as base64 text (Engine.IO v3, or a transport without binary)
            byte[] b;
            try {
                b = Base64.getDecoder().decode(t.substring(1).strip());
            } catch (IllegalArgumentException e) {
                return Decoded.failed(NAME, "A 'b' packet carries base64 binary data, but this is not base64.");
            }
            return binary(m, b, dir, state);
        }
        if (c < '0' || c > '6') {
            return Decoded.failed(NAME, "An Engine.IO packet starts with a type digit 0-6, not " + Json.quote(t.substring(0,
                    Math.min(t.length(), 8))) + ".");
        }
        if (m.truncated()) {
            return Decoded.failed(NAME, "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so it cannot be read as " + NAME + ".");
        }
        if (c == '4' && state.pending.isEmpty()) {
            Decoded fast = FastEvent.read(t);
            if (fast != null) {
                return fast;
            }
        }
        String abandoned = abandon(state, dir);
        Decoded d = engine(c - '0', t.substring(1));
        if (d.ok() && d.value() instanceof ObjectNode o && o.path("attachments").asInt() > 0) {
            expect(state, dir, o);
        }
        if (abandoned != null && d.ok()) {
            ObjectNode v = d.value() instanceof ObjectNode o ? o : F.objectNode();
            v.put("abandoned", abandoned);
            return Decoded.of(NAME, d.summary() + " (" + abandoned + ")", v);
        }
        return d;
    }

    /** A text message while a binary packet waits: the packet never completes (socket.io-parser drops it too). */
    private static String abandon(State state, Direction dir) {
        Pending p = state.pending.remove(dir);
        return p == null ? null : "the waiting " + p.head + " got " + p.parts.size() + " of its " + p.expected
                + " attachments and was dropped";
    }

    private Decoded engine(int type, String data) {
        ObjectNode v = F.objectNode();
        v.put("engineio", ENGINE[type]);
        switch (type) {
            case 0 -> {
                JsonNode open = tryJson(data);
                if (open == null || !open.isObject()) {
                    return Decoded.failed(NAME, "An Engine.IO open packet carries a JSON object (sid, pingInterval…),"
                            + " and this one does not.");
                }
                v.set("data", open);
                StringBuilder s = new StringBuilder("engine.io open");
                for (String k : new String[] {"sid", "pingInterval", "pingTimeout", "maxPayload"}) {
                    JsonNode x = open.get(k);
                    if (x != null && x.isValueNode()) {
                        s.append(' ').append(k).append('=').append(x.asText());
                    }
                }
                JsonNode up = open.get("upgrades");
                if (up != null && up.isArray() && !up.isEmpty()) {
                    s.append(" upgrades=").append(up);
                }
                return Decoded.of(NAME, s.toString(), v);
            }
            case 4 -> {
                if (data.isEmpty() || data.charAt(0) < '0' || data.charAt(0) > '6') {
                    // Engine.IO used on its own, or a Socket.IO parser of another format: plain data
                    v.put("data", data);
                    return Decoded.of(NAME, "engine.io message " + Json.quote(data) + " (not a Socket.IO packet)", v);
                }
                Object p = packet(data);
                if (p instanceof String why) {
                    return Decoded.failed(NAME, why);
                }
                ObjectNode o = (ObjectNode) p;
                v.setAll(o);
                return Decoded.of(NAME, summary(o), v);
            }
            default -> {
                if (!data.isEmpty()) {
                    v.put("data", data);
                }
                return Decoded.of(NAME, "engine.io " + ENGINE[type] + (data.isEmpty() ? "" : data.equals("probe") ? " probe"
                        : " " + Json.quote(data)), v);
            }
        }
    }

    /**
     * A Socket.IO packet as a tree (type, nsp, id, attachments, data or event/args), or a sentence
     * saying why the text is none.
     */
    static Object packet(String s) {
        if (s.isEmpty()) {
            return "An Engine.IO message carries a Socket.IO packet, and this one is empty.";
        }
        int type = s.charAt(0) - '0';
        if (type < 0 || type > 6) {
            return "A Socket.IO packet starts with a type digit 0-6, not " + Json.quote(s.substring(0, 1)) + ".";
        }
        ObjectNode o = F.objectNode();
        o.put("type", TYPES[type]);
        int i = 1;
        int n = s.length();
        if (type == 5 || type == 6) {
            int start = i;
            while (i < n && Character.isDigit(s.charAt(i)) && i - start < 7) {
                i++;
            }
            if (i == start || i >= n || s.charAt(i) != '-') {
                return "A " + TYPES[type] + " packet gives its number of attachments and '-' after the type digit.";
            }
            int count = Integer.parseInt(s.substring(start, i));
            if (count > MAX_ATTACHMENTS) {
                return "A " + TYPES[type] + " packet announcing " + count + " attachments is not believed (at most "
                        + MAX_ATTACHMENTS + ").";
            }
            o.put("attachments", count);
            i++;
        }
        String nsp = "/";
        if (i < n && s.charAt(i) == '/') {
            int comma = s.indexOf(',', i);
            int end = comma < 0 ? n : comma;
            nsp = s.substring(i, end);
            i = comma < 0 ? n : comma + 1;
        }
        o.put("nsp", nsp);
        int idStart = i;
        while (i < n && Character.isDigit(s.charAt(i)) && i - idStart < 16) {
            i++;
        }
        if (i > idStart) {
            o.put("id", Long.parseLong(s.substring(idStart, i)));
        }
        JsonNode data = null;
        if (i < n) {
            data = tryJson(s.substring(i));
            if (data == null) {
                return "The payload of this Socket.IO " + TYPES[type] + " packet is not valid JSON: "
                        + Json.quote(s.substring(i)) + ".";
            }
        }
        switch (type) {
            case 0 -> {
                if (data != null && !data.isObject()) {
                    return "A Socket.IO CONNECT packet carries a JSON object (the auth or the sid), not " + kind(data) + ".";
                }
            }
            case 1 -> {
                if (data != null) {
                    return "A Socket.IO DISCONNECT packet carries no payload.";
                }
            }
            case 2, 5 -> {
                if (data == null || !data.isArray() || data.isEmpty() || !(data.get(0).isTextual() || data.get(0).isNumber())) {
                    return "A Socket.IO " + TYPES[type] + " carries a JSON array whose first member is the event name, not "
                            + (data == null ? "nothing" : kind(data)) + ".";
                }
            }
            case 3, 6 -> {
                if (!o.has("id")) {
                    return "A Socket.IO " + TYPES[type] + " packet needs the id of the event it answers.";
                }
                if (data == null || !data.isArray()) {
                    return "A Socket.IO " + TYPES[type] + " carries a JSON array of arguments, not "
                            + (data == null ? "nothing" : kind(data)) + ".";
                }
            }
            default -> {
                if (data != null && !data.isObject() && !data.isTextual()) {
                    return "A Socket.IO CONNECT_ERROR carries an object or a string, not " + kind(data) + ".";
                }
            }
        }
        if (type == 2 || type == 5) {
            o.set("event", data.get(0));
            ArrayNode args = F.arrayNode();
            for (int k = 1; k < data.size(); k++) {
                args.add(data.get(k));
            }
            o.set("args", args);
        } else if (type == 3 || type == 6) {
            o.set("args", data);
        } else if (data != null) {
            o.set("data", data);
        }
        return o;
    }

    /** One line for a Socket.IO packet tree made by {@link #packet}. */
    static String summary(ObjectNode o) {
        String type = o.path("type").asText();
        String nsp = "ns=" + o.path("nsp").asText();
        JsonNode id = o.get("id");
        int args = o.path("args").size();
        String argc = " (" + args + (args == 1 ? " arg)" : " args)");
        String s = switch (type) {
            case "EVENT", "BINARY_EVENT" -> type + " " + Json.scalar(o.get("event")) + " " + nsp
                    + (id == null ? "" : " ack=" + id.asText()) + argc;
            case "ACK", "BINARY_ACK" -> type + " id=" + id.asText() + " " + nsp + argc;
            case "CONNECT" -> {
                JsonNode d = o.get("data");
                String extra = "";
                if (d != null && d.path("sid").isTextual()) {
                    extra = " sid=" + d.path("sid").asText();
                } else if (d != null && !d.isEmpty()) {
                    extra = " auth " + JsonDecoder.summary(d);
                }
                yield type + " " + nsp + extra;
            }
            case "CONNECT_ERROR" -> {
                JsonNode d = o.get("data");
                String why = d == null ? "" : d.isTextual() ? " " + Json.quote(d.asText())
                        : d.has("message") ? " " + Json.scalar(d.get("message")) : " " + JsonDecoder.summary(d);
                yield type + " " + nsp + why;
            }
            default -> type + " " + nsp;
        };
        if (o.has("attachments") && !o.has("joined")) {
            int n = o.path("attachments").asInt();
            s += " waits for " + n + (n == 1 ? " attachment" : " attachments");
        }
        return s;
    }

    /** A binary message: an attachment of the packet waiting in this direction, or plain Engine.IO binary data. */
    private Decoded binary(Message m, byte[] bytes, Direction dir, State state) {
        Pending p = state.pending.get(dir);
        if (p == null) {
            ObjectNode v = F.objectNode();
            v.put("engineio", "message");
            v.set("binary", bin(bytes, m));
            return Decoded.of(NAME, "engine.io binary message (" + size(m, bytes) + ")", v);
        }
        p.parts.add(m.isText() ? new Message(dev.wsdebug.wire.Opcode.BINARY, m.frames(), m.compressed(), m.wireLength(), bytes.length,
                bytes, false, null, -1, 0, List.of()) : m);
        int k = p.parts.size();
        String part = "attachment " + k + "/" + p.expected + " of " + p.head + " (" + size(m, bytes) + ")";
        if (k < p.expected) {
            ObjectNode v = F.objectNode();
            v.put("engineio", "message");
            v.put("attachment", k);
            v.put("of", p.expected);
            v.put("event", p.head);
            v.set("binary", bin(bytes, m));
            return Decoded.of(NAME, part, v);
        }
        state.pending.remove(dir);
        return joined(p, part);
    }

    /** The packet with its placeholders replaced by its attachments, shown with its last attachment. */
    private static Decoded joined(Pending p, String part) {
        ObjectNode o = p.packet.deepCopy();
        long total = 0;
        for (Message a : p.parts) {
            total += a.length();
        }
        int[] missing = {0};
        for (String field : new String[] {"args", "data"}) {
            JsonNode n = o.get(field);
            if (n != null) {
                o.set(field, replace(n, p.parts, 0, missing));
            }
        }
        o.put("joined", p.parts.size());
        o.put("attachment", p.parts.size());
        o.put("of", p.expected);
        String which = p.expected == 0 ? "no attachments" : p.expected == 1 ? "attachment 1" : "attachments 1-" + p.expected;
        String s = part + ", joined: " + summary(o) + " with " + which + " (" + total + " B)"
                + (missing[0] > 0 ? ", " + missing[0] + " placeholders without an attachment" : "");
        return Decoded.of(NAME, s, o);
    }

    /** A copy of the tree with {@code {"_placeholder":true,"num":N}} replaced by attachment N (depth-capped). */
    private static JsonNode replace(JsonNode n, List<Message> parts, int depth, int[] missing) {
        if (depth > MAX_DEPTH) {
            return n;
        }
        if (n.isObject()) {
            if (n.path("_placeholder").asBoolean(false) && n.path("num").canConvertToInt()) {
                int num = n.path("num").asInt();
                if (num >= 0 && num < parts.size()) {
                    Message a = parts.get(num);
                    return bin(a.payload(), a);
                }
                missing[0]++;
                return n;
            }
            ObjectNode out = F.objectNode();
            n.fields().forEachRemaining(e -> out.set(e.getKey(), replace(e.getValue(), parts, depth + 1, missing)));
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = F.arrayNode();
            for (JsonNode x : n) {
                out.add(replace(x, parts, depth + 1, missing));
            }
            return out;
        }
        return n;
    }

    /** {@code {"binary": N, "base64": "…"}} for bytes of a message (the first {@link #MAX_BASE64} bytes). */
    static ObjectNode bin(byte[] bytes, Message m) {
        return bin(bytes, m.isText() ? bytes.length : m.length());
    }

    /** {@code {"binary": len, "base64": "…"}}: len is the whole length, bytes what was kept of it. */
    static ObjectNode bin(byte[] bytes, long len) {
        ObjectNode b = F.objectNode();
        b.put("binary", len);
        int shown = Math.min(bytes.length, MAX_BASE64);
        b.put("base64", Base64.getEncoder().encodeToString(shown == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, shown)));
        if (shown < len) {
            b.put("base64Bytes", shown);
        }
        return b;
    }

    private static String size(Message m, byte[] bytes) {
        return (m.isText() ? bytes.length : m.length()) + " B";
    }

    /** Remembers a binary packet waiting for attachments; called when a BINARY_* packet is decoded. */
    private static void expect(State state, Direction dir, ObjectNode packet) {
        String head = packet.path("type").asText() + (packet.has("event") ? " " + Json.scalar(packet.get("event"))
                : packet.has("id") ? " id=" + packet.get("id").asText() : "");
        state.pending.put(dir, new Pending(packet, head, packet.path("attachments").asInt()));
    }

    /** The JSON of this text (nothing may follow it), or null. */
    private static JsonNode tryJson(String s) {
        try {
            JsonNode n = STRICT.readTree(s);
            return n == null || n.isMissingNode() ? null : n;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static String kind(JsonNode n) {
        return n.isArray() ? "an array" : n.isObject() ? "an object" : n.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
