package dev.wsdebug.capture.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A place in a JSON value, as users write it on the command line ({@code --ignore},
 * {@code --expect-json}): a JSON pointer ({@code /data/items/0/id}, RFC 6901) or a simple path
 * ({@code $.data.items[0].id}, {@code data.items[*].id}, {@code $..timestamp} for a name at any depth,
 * {@code $['odd name']}). Selecting never fails: a path that leads nowhere selects nothing.
 */
public final class JsonPath {
    /** One step: a member name, an array index, any child ({@code *}), or a name at any depth. */
    private record Step(String name, int index, boolean any, boolean deep) {
    }

    private final String text;
    private final List<Step> steps;

    private JsonPath(String text, List<Step> steps) {
        this.text = text;
        this.steps = steps;
    }

    @Override
    public String toString() {
        return text;
    }

    /** The path, or an IllegalArgumentException with one sentence saying what is wrong. */
    public static JsonPath parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an empty JSON path: write $.name, a.b[0] or /a/b/0.");
        }
        return text.startsWith("/") ? pointer(text) : simple(text);
    }

    private static JsonPath pointer(String text) {
        List<Step> steps = new ArrayList<>();
        for (String raw : text.substring(1).split("/", -1)) {
            String name = raw.replace("~1", "/").replace("~0", "~");
            steps.add(new Step(name, index(name), false, false));
        }
        return new JsonPath(text, steps);
    }

    /** A pointer token or a bracketed number names an array element when it is a plain non-negative number. */
    private static int index(String token) {
        if (token.isEmpty() || token.length() > 9 || (token.length() > 1 && token.charAt(0) == '0')) {
            return -1;
        }
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(token);
    }

    private static JsonPath simple(String text) {
        List<Step> steps = new ArrayList<>();
        int i = 0;
        int n = text.length();
        if (text.startsWith("$")) {
            i = 1;
        } else {
            // "a.b" is "$.a.b"
            text = "$." + text;
            i = 1;
            n = text.length();
        }
        while (i < n) {
            char c = text.charAt(i);
            if (c == '.') {
                boolean deep = i + 1 < n && text.charAt(i + 1) == '.';
                i += deep ? 2 : 1;
                int end = i;
                while (end < n && text.charAt(end) != '.' && text.charAt(end) != '[') {
                    end++;
                }
                String name = text.substring(i, end);
                if (name.isEmpty()) {
                    throw bad(text, "a '.' with no name after it");
                }
                steps.add(name.equals("*") ? new Step(null, -1, true, deep) : new Step(name, -1, false, deep));
                i = end;
            } else if (c == '[') {
                int close = text.indexOf(']', i);
                if (close < 0) {
                    throw bad(text, "a '[' without its ']'");
                }
                String inside = text.substring(i + 1, close).trim();
                if (inside.equals("*")) {
                    steps.add(new Step(null, -1, true, false));
                } else if (inside.length() >= 2 && (inside.startsWith("'") && inside.endsWith("'")
                        || inside.startsWith("\"") && inside.endsWith("\""))) {
                    steps.add(new Step(inside.substring(1, inside.length() - 1), -1, false, false));
                } else if (index(inside) >= 0) {
                    steps.add(new Step(null, index(inside), false, false));
                } else {
                    throw bad(text, "[" + inside + "], which is neither an index, * nor a quoted name");
                }
                i = close + 1;
            } else {
                throw bad(text, "'" + c + "' where a '.' or '[' should be");
            }
        }
        return new JsonPath(text, steps);
    }

    private static IllegalArgumentException bad(String text, String what) {
        return new IllegalArgumentException("the JSON path '" + text + "' has " + what + ".");
    }

    /** The values at this path (none when it leads nowhere; the root itself for "$" or ""). */
    public List<JsonNode> select(JsonNode root) {
        List<JsonNode> at = new ArrayList<>(List.of(root));
        for (Step s : steps) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode n : at) {
                if (s.deep()) {
                    descendants(n, next);
                } else {
                    children(n, s, next);
                }
            }
            if (s.deep()) {
                List<JsonNode> named = new ArrayList<>();
                for (JsonNode n : next) {
                    children(n, new Step(s.name(), -1, s.any(), false), named);
                }
                next = named;
            }
            at = next;
        }
        return at;
    }

    /** Removes what this path selects from the value (in place); returns how many were removed. */
    public int remove(JsonNode root) {
        if (steps.isEmpty()) {
            return 0;
        }
        JsonPath parent = new JsonPath(text, steps.subList(0, steps.size() - 1));
        Step last = steps.get(steps.size() - 1);
        List<JsonNode> holders = new ArrayList<>();
        if (last.deep()) {
            for (JsonNode p : parent.select(root)) {
                descendants(p, holders);
            }
        } else {
            holders.addAll(parent.select(root));
        }
        int removed = 0;
        for (JsonNode h : holders) {
            if (h instanceof ObjectNode o) {
                if (last.any()) {
                    removed += o.size();
                    o.removeAll();
                } else if (last.name() != null && o.has(last.name())) {
                    o.remove(last.name());
                    removed++;
                }
            } else if (h instanceof ArrayNode a) {
                if (last.any()) {
                    removed += a.size();
                    a.removeAll();
                } else {
                    int idx = last.index() >= 0 ? last.index() : -1;
                    if (idx >= 0 && idx < a.size()) {
                        a.remove(idx);
                        removed++;
                    }
                }
            }
        }
        return removed;
    }

    private static void children(JsonNode n, Step s, List<JsonNode> out) {
        if (s.any()) {
            n.elements().forEachRemaining(out::add);
        } else if (n.isObject()) {
            // a pointer token such as "0" names a member "0" of an object
            String name = s.name() != null ? s.name() : Integer.toString(s.index());
            JsonNode c = n.get(name);
            if (c != null) {
                out.add(c);
            }
        } else if (n.isArray() && s.index() >= 0 && s.index() < n.size()) {
            out.add(n.get(s.index()));
        }
    }

    /** The node and everything inside it, depth first. */
    private static void descendants(JsonNode n, List<JsonNode> out) {
        out.add(n);
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                descendants(it.next().getValue(), out);
            }
        } else if (n.isArray()) {
            for (JsonNode c : n) {
                descendants(c, out);
            }
        }
    }
}
