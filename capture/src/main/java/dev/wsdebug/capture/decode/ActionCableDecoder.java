package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rails Action Cable ({@code actioncable-v1-json}). The server sends {@code {"type":"welcome"}},
 * {@code {"type":"ping","message":EPOCH}}, {@code confirm_subscription} and
 * {@code reject_subscription} with the identifier, {@code {"type":"disconnect","reason",
 * "reconnect"}}, and broadcasts {@code {"identifier","message"}}; the client sends
 * {@code {"command":"subscribe"|"unsubscribe"|"message","identifier"[,"data"]}}. The identifier
 * (and a message command's data) is JSON inside a string: it is shown parsed.
 */
final class ActionCableDecoder implements PayloadDecoder {
    static final String NAME = "actioncable";
    private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> TYPES = Set.of("welcome", "ping", "confirm_subscription", "reject_subscription",
            "disconnect");
    private static final Set<String> COMMANDS = Set.of("subscribe", "unsubscribe", "message");

    @Override
    public String name() {
        return NAME;
    }

    /** {@code actioncable-v1-json} (and AnyCable's {@code actioncable-v1-ext-json}). */
    @Override
    public boolean claims(String subprotocol, String url) {
        if (subprotocol == null) {
            return false;
        }
        String s = subprotocol.toLowerCase(Locale.ROOT).strip();
        return s.equals("actioncable-v1-json") || s.equals("actioncable-v1-ext-json");
    }

    @Override
    public boolean sniff(Message m) {
        if (!Json.startsWith(m, "{") || m.truncated()) {
            return false;
        }
        String head = new String(m.payload(), 0, Math.min(m.payload().length, 256), java.nio.charset.StandardCharsets.UTF_8);
        if (!head.contains("\"type\"") && !head.contains("\"command\"") && !head.contains("\"identifier\"")) {
            return false;
        }
        JsonNode n = json(m.text());
        if (n == null || !n.isObject()) {
            return false;
        }
        String type = n.path("type").asText("");
        if (type.equals("welcome")) {
            return n.size() <= 2; // {"type":"welcome"} or with AnyCable's sid
        }
        if (type.equals("ping")) {
            return n.size() == 2 && n.path("message").isIntegralNumber();
        }
        // the rest name a channel: the identifier must be JSON with a channel
        JsonNode id = identifier(n.path("identifier"));
        return id != null && id.path("channel").isTextual() && read(n) instanceof ObjectNode;
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        if (!m.isText()) {
            return Decoded.failed(NAME, "Action Cable over actioncable-v1-json is JSON text; a binary message is none.");
        }
        Object parsed = Json.parse(NAME, m, m.text());
        if (parsed instanceof Decoded failed) {
            return failed;
        }
        JsonNode n = (JsonNode) parsed;
        if (!n.isObject()) {
            return Decoded.failed(NAME, "An Action Cable message is a JSON object, not "
                    + n.getNodeType().name().toLowerCase(Locale.ROOT) + ".");
        }
        Object r = read(n);
        if (r instanceof String why) {
            return Decoded.failed(NAME, why);
        }
        ObjectNode v = (ObjectNode) r;
        return Decoded.of(NAME, summary(v), v);
    }

    /** The message with its identifier (and data) parsed, or a sentence saying why it is not Action Cable. */
    private static Object read(JsonNode n) {
        ObjectNode v = n.deepCopy();
        JsonNode type = n.get("type");
        JsonNode command = n.get("command");
        JsonNode id = n.get("identifier");
        if (id != null) {
            JsonNode parsed = identifier(id);
            if (parsed == null) {
                return "The identifier of an Action Cable message is a string holding a JSON object (the channel and its"
                        + " parameters), and this one is not.";
            }
            v.set("identifier", parsed);
        }
        if (command != null) {
            if (!command.isTextual() || !COMMANDS.contains(command.asText())) {
                return "An Action Cable command is subscribe, unsubscribe or message, not " + Json.scalar(command) + ".";
            }
            if (id == null) {
                return "An Action Cable " + command.asText() + " command names its channel in an identifier.";
            }
            JsonNode data = n.get("data");
            if (command.asText().equals("message")) {
                JsonNode d = data != null && data.isTextual() ? json(data.asText()) : null;
                if (d == null || !d.isObject()) {
                    return "The data of an Action Cable message command is a string holding a JSON object.";
                }
                v.set("data", d);
            }
            return v;
        }
        if (type != null) {
            if (!type.isTextual() || !TYPES.contains(type.asText())) {
                return "An Action Cable message type is welcome, ping, confirm_subscription, reject_subscription or"
                        + " disconnect, not " + Json.scalar(type) + ".";
            }
            if (type.asText().endsWith("_subscription") && id == null) {
                return "An Action Cable " + type.asText() + " names the subscription in an identifier.";
            }
            return v;
        }
        if (id != null && n.has("message")) {
            return v; // a broadcast to a subscription
        }
        return "An Action Cable message has a type (from the server), a command (from the client), or an identifier and"
                + " a message (a broadcast).";
    }

    private static String summary(ObjectNode v) {
        String what = v.has("command") ? v.path("command").asText() : v.has("type") ? v.path("type").asText() : "broadcast";
        StringBuilder s = new StringBuilder(what);
        JsonNode id = v.get("identifier");
        if (id != null) {
            s.append(" channel=").append(id.path("channel").asText("?"));
            StringBuilder params = new StringBuilder();
            Iterator<Map.Entry<String, JsonNode>> it = id.fields();
            int shown = 0;
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("channel") && shown++ < 3) {
                    params.append(' ').append(e.getKey()).append('=').append(Json.scalar(e.getValue()));
                }
            }
            s.append(params);
        }
        switch (what) {
            case "message" -> {
                JsonNode data = v.path("data");
                if (data.path("action").isTextual()) {
                    s.append(" action=").append(data.path("action").asText());
                } else {
                    s.append(" data ").append(JsonDecoder.summary(data));
                }
            }
            case "ping" -> s.append(' ').append(v.path("message").asText());
            case "disconnect" -> {
                if (v.has("reason")) {
                    s.append(" reason=").append(v.path("reason").asText());
                }
                if (v.has("reconnect")) {
                    s.append(" reconnect=").append(v.path("reconnect").asText());
                }
            }
            case "broadcast" -> s.append(' ').append(JsonDecoder.summary(v.path("message")));
            default -> {
            }
        }
        return s.toString();
    }

    /** The identifier's JSON object, or null. */
    private static JsonNode identifier(JsonNode id) {
        if (id == null || !id.isTextual()) {
            return null;
        }
        JsonNode n = json(id.asText());
        return n != null && n.isObject() ? n : null;
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
