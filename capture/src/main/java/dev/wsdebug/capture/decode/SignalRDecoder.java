package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * ASP.NET Core SignalR's hub protocols (github.com/dotnet/aspnetcore, HubProtocol.md). The client
 * opens with a handshake record {@code {"protocol":"json"|"messagepack","version":1}} and the
 * server answers {@code {}} (or {@code {"error":…}}), both JSON text ended by 0x1E. Then the JSON
 * protocol sends JSON objects each ended by 0x1E (several may share a message), the MessagePack
 * protocol binary messages of records, each a varint length and a MessagePack array
 * {@code [type, headers, invocationId, target, arguments, …]}, shown here as the objects the JSON
 * protocol would send. Types: 1 Invocation, 2 StreamItem, 3 Completion, 4 StreamInvocation,
 * 5 CancelInvocation, 6 Ping, 7 Close, 8 Ack, 9 Sequence.
 */
final class SignalRDecoder implements PayloadDecoder {
    private static final char RS = 0x1e;
    private static final String[] TYPES = {null, "Invocation", "StreamItem", "Completion", "StreamInvocation",
            "CancelInvocation", "Ping", "Close", "Ack", "Sequence"};
    /** Records read from one message at most (the rest are counted, not read). */
    private static final int MAX_RECORDS = 1000;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** What the handshake said: the protocol the client asked for. */
    static final class State {
        String protocol;
    }

    @Override
    public String name() {
        return "signalr";
    }

    @Override
    public boolean sniff(Message m) {
        if (!m.isText() || m.truncated()) {
            return false;
        }
        byte[] p = m.payload();
        if (p.length < 3 || p[p.length - 1] != RS || p[0] != '{') {
            return false;
        }
        int end = 0;
        while (p[end] != RS) {
            end++;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(new String(p, 0, end, StandardCharsets.UTF_8));
            return n != null && n.isObject() && (n.isEmpty() || n.has("protocol") && n.has("version")
                    || n.path("type").canConvertToInt() && n.path("type").asInt() >= 1 && n.path("type").asInt() <= 9);
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        State st = state.get(State.class, State::new);
        if (m.truncated()) {
            return Decoded.failed(name(), "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so it cannot be read as SignalR.");
        }
        if (m.isText()) {
            return text(m.text(), dir, st);
        }
        if ("json".equals(st.protocol)) {
            return Decoded.failed(name(), "A binary message on a connection whose handshake chose the JSON hub protocol.");
        }
        return binary(m.payload());
    }

    private Decoded text(String t, Direction dir, State st) {
        if (t.isEmpty() || t.charAt(t.length() - 1) != RS) {
            return Decoded.failed(name(), "A SignalR text message is JSON records each ended by the character 0x1E;"
                    + " this one does not end with it.");
        }
        List<String> parts = new ArrayList<>();
        ArrayNode values = NODES.arrayNode();
        int start = 0;
        int count = 0;
        while (start < t.length()) {
            int end = t.indexOf(RS, start);
            if (++count > MAX_RECORDS) {
                parts.add("…");
                break;
            }
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(t.substring(start, end));
            } catch (JsonProcessingException e) {
                return Decoded.failed(name(), "Record " + count + " of the message is not valid JSON.");
            }
            if (n == null || !n.isObject()) {
                return Decoded.failed(name(), "Record " + count + " of the message is not a JSON object.");
            }
            String s;
            if (n.has("protocol") && n.has("version")) {
                st.protocol = n.path("protocol").asText();
                s = "handshake protocol=" + st.protocol + " version=" + n.path("version").asText();
            } else if (!n.has("type")) {
                s = n.has("error") ? "handshake error " + Json.quote(n.path("error").asText()) : "handshake ok";
            } else {
                s = summary(n);
                if (s == null) {
                    return Decoded.failed(name(), "Record " + count + " has no SignalR message type (1 to 9): "
                            + Json.scalar(n.get("type")) + ".");
                }
            }
            parts.add(s);
            values.add(n);
            start = end + 1;
        }
        return Decoded.of(name(), String.join("; ", parts), values.size() == 1 ? values.get(0) : values)
                .withFacets(values.size() == 1 ? facets(values.get(0)) : java.util.Map.of());
    }

    private Decoded binary(byte[] p) {
        List<String> parts = new ArrayList<>();
        ArrayNode values = NODES.arrayNode();
        int i = 0;
        int count = 0;
        if (p.length == 0) {
            return Decoded.failed(name(), "An empty binary message holds no SignalR MessagePack record.");
        }
        while (i < p.length) {
            count++;
            if (count > MAX_RECORDS) {
                parts.add("…");
                break;
            }
            long len = 0;
            int shift = 0;
            int k = i;
            while (true) {
                if (k >= p.length || shift > 28) {
                    return Decoded.failed(name(), "The length prefix of record " + count + " is cut or too long.");
                }
                int b = p[k++] & 0xff;
                len |= (long) (b & 0x7f) << shift;
                shift += 7;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if (len > p.length - k) {
                return Decoded.failed(name(), "Record " + count + " says it has " + len + " bytes but only "
                        + (p.length - k) + " follow.");
            }
            BinaryTrees.Result r = BinaryTrees.msgpack(p, k, (int) len);
            if (!r.ok()) {
                return Decoded.failed(name(), "Record " + count + ": " + r.problem());
            }
            ObjectNode o = fromArray(r.value());
            if (o == null) {
                return Decoded.failed(name(), "Record " + count + " is not a MessagePack array that starts with a"
                        + " SignalR message type (1 to 9).");
            }
            parts.add(summary(o));
            values.add(o);
            i = k + (int) len;
        }
        return Decoded.of(name(), String.join("; ", parts), values.size() == 1 ? values.get(0) : values)
                .withFacets(values.size() == 1 ? facets(values.get(0)) : java.util.Map.of());
    }

    /** A MessagePack protocol record as the object the JSON protocol would send, or null. */
    private static ObjectNode fromArray(JsonNode a) {
        if (!a.isArray() || a.isEmpty() || !a.get(0).canConvertToInt()) {
            return null;
        }
        int type = a.get(0).asInt();
        ObjectNode o = NODES.objectNode();
        o.put("type", type);
        String[] names = switch (type) {
            case 1, 4 -> new String[] {"headers", "invocationId", "target", "arguments", "streamIds"};
            case 2 -> new String[] {"headers", "invocationId", "item"};
            case 3 -> new String[] {"headers", "invocationId", "resultKind", "result"};
            case 5 -> new String[] {"headers", "invocationId"};
            case 6 -> new String[] {};
            case 7 -> new String[] {"error", "allowReconnect"};
            case 8, 9 -> new String[] {"sequenceId"};
            default -> null;
        };
        if (names == null) {
            return null;
        }
        for (int k = 0; k < names.length && k + 1 < a.size(); k++) {
            JsonNode v = a.get(k + 1);
            if (names[k].equals("invocationId") && v.isNull()) {
                continue;
            }
            o.set(names[k], v);
        }
        if (type == 3) {
            int kind = o.path("resultKind").asInt(0);
            JsonNode v = o.remove("result");
            o.remove("resultKind");
            if (kind == 1) {
                o.set("error", v == null ? NODES.nullNode() : v);
            } else if (kind == 3) {
                o.set("result", v == null ? NODES.nullNode() : v);
            }
        }
        return o;
    }

    /** The one-line summary of a typed message, or null when its type is none of SignalR's. */
    /**
     * An Invocation or StreamInvocation with an invocationId waits for its Completion (or first
     * StreamItem); the client's handshake request for the server's handshake response.
     */
    private static java.util.Map<String, String> facets(JsonNode n) {
        java.util.Map<String, String> f = new java.util.HashMap<>();
        if (!n.has("type")) {
            f.put(n.has("protocol") ? Facets.REQUEST_ID : Facets.RESPONSE_ID, "handshake");
            f.put(Facets.OP, "handshake");
            return f;
        }
        int type = n.path("type").asInt();
        String id = n.path("invocationId").isMissingNode() || n.path("invocationId").isNull() ? null : n.path("invocationId").asText();
        String target = n.path("target").asText(null);
        String s = summary(n);
        f.put(Facets.OP, s == null ? Integer.toString(type) : s.split(" ", 2)[0]); // Invocation, Completion…
        f.put(Facets.METHOD, target);
        f.put(Facets.NAME, target);
        if (type == 1 || type == 4) {
            f.put(Facets.REQUEST_ID, id);
        } else if (type == 2 || type == 3) {
            f.put(Facets.RESPONSE_ID, id);
        }
        return f;
    }

    private static String summary(JsonNode n) {
        JsonNode t = n.get("type");
        if (t == null || !t.canConvertToInt() || t.asInt() < 1 || t.asInt() > 9) {
            return null;
        }
        int type = t.asInt();
        StringBuilder s = new StringBuilder(TYPES[type]);
        if (type == 1 || type == 4) {
            s.append(' ').append(n.path("target").asText("?"));
        }
        JsonNode id = n.get("invocationId");
        if (id != null && !id.isNull()) {
            s.append(" id=").append(id.asText());
        }
        switch (type) {
            case 1, 4 -> {
                int args = n.path("arguments").size();
                s.append(" (").append(args).append(args == 1 ? " arg)" : " args)");
                if (n.path("streamIds").size() > 0) {
                    s.append(" streams=").append(n.get("streamIds").size());
                }
            }
            case 3 -> {
                if (n.has("error")) {
                    s.append(" error ").append(Json.quote(n.path("error").asText()));
                } else if (n.has("result")) {
                    s.append(" result");
                }
            }
            case 7 -> {
                if (n.hasNonNull("error")) {
                    s.append(" error ").append(Json.quote(n.path("error").asText()));
                }
                if (n.path("allowReconnect").asBoolean(false)) {
                    s.append(" allowReconnect");
                }
            }
            case 8, 9 -> s.append(" sequenceId=").append(n.path("sequenceId").asText("?"));
            default -> {
            }
        }
        return s.toString();
    }
}
