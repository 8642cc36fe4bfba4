package dev.wsdebug.capture.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Comparator;

/** JSON values compared the way people mean them: members in any order, 1 and 1.0 the same number. */
public final class JsonValues {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Numbers by value, everything else by Jackson's own equality. */
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private JsonValues() {
    }

    /** The text as JSON, or null when it is not JSON. */
    public static JsonNode parse(String text) {
        try {
            JsonNode n = MAPPER.readTree(text);
            return n == null || n.isMissingNode() ? null : n;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * A value given on the command line: JSON when it parses ({@code 42}, {@code true}, {@code "x"},
     * {@code {"a":1}}), else the text itself as a string, so that {@code $.op=pong} needs no quotes.
     */
    public static JsonNode loose(String text) {
        JsonNode n = parse(text);
        return n != null ? n : TextNode.valueOf(text);
    }

    /** Whether two values are the same: objects whatever the order of their members, numbers by value. */
    public static boolean same(JsonNode a, JsonNode b) {
        return a.equals(BY_VALUE, b);
    }
}
