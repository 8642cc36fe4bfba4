package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Plain JSON, the most common payload without a named protocol: the structure, and a summary that
 * names the field applications use to tell their messages apart ({@code type}, {@code event},
 * {@code op}…) or else the keys.
 */
final class JsonDecoder implements PayloadDecoder {
    /** Fields that usually say what kind of message an object is, in the order they are looked for. */
    private static final String[] KINDS = {"type", "event", "op", "action", "method", "cmd", "command", "kind", "channel", "topic"};

    @Override
    public String name() {
        return "json";
    }

    @Override
    public boolean generic() {
        return true;
    }

    @Override
    public boolean sniff(Message m) {
        return Json.startsWith(m, "{[");
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        if (!m.isText()) {
            return Decoded.failed(name(), "A binary message is not JSON text.");
        }
        Object parsed = Json.parse(name(), m, m.text());
        if (parsed instanceof Decoded failed) {
            return failed;
        }
        JsonNode n = (JsonNode) parsed;
        return Decoded.of(name(), summary(n), n);
    }

    static String summary(JsonNode n) {
        if (n.isArray()) {
            return "array of " + n.size();
        }
        if (!n.isObject()) {
            return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + Json.scalar(n);
        }
        for (String k : KINDS) {
            JsonNode v = n.get(k);
            if (v != null && v.isValueNode()) {
                return k + "=" + Json.scalar(v) + " " + keys(n);
            }
        }
        return keys(n);
    }

    private static String keys(JsonNode n) {
        List<String> names = new ArrayList<>();
        Iterator<String> it = n.fieldNames();
        while (it.hasNext() && names.size() < 6) {
            names.add(it.next());
        }
        return "{" + String.join(", ", names) + (n.size() > names.size() ? ", …" : "") + "}";
    }
}
