package dev.wsdebug.capture.replay;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/** Where two JSON values first differ, as a path a user can pass to {@code --ignore}. */
final class JsonDiff {
    private JsonDiff() {
    }

    /** The path ($-rooted) of the first difference, with both sides; null when the values are the same. */
    static String first(JsonNode recorded, JsonNode replayed) {
        return first(recorded, replayed, "$");
    }

    private static String first(JsonNode a, JsonNode b, String path) {
        if (a == null || b == null) {
            return path + ": recorded " + shown(a) + ", replayed " + shown(b);
        }
        if (a.isObject() && b.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                String d = first(a.get(n), b.get(n), path + member(n));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (a.isArray() && b.isArray()) {
            Iterator<JsonNode> x = a.elements();
            Iterator<JsonNode> y = b.elements();
            for (int i = 0; x.hasNext() || y.hasNext(); i++) {
                String d = first(x.hasNext() ? x.next() : null, y.hasNext() ? y.next() : null, path + "[" + i + "]");
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return JsonValues.same(a, b) ? null : path + ": recorded " + shown(a) + ", replayed " + shown(b);
    }

    /** ".name" when the name is a plain identifier, else ['name']. */
    private static String member(String n) {
        return n.matches("[A-Za-z_$][A-Za-z0-9_$-]*") ? "." + n : "['" + n.replace("'", "\\'") + "']";
    }

    private static String shown(JsonNode n) {
        if (n == null) {
            return "nothing";
        }
        String s = n.toString();
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
