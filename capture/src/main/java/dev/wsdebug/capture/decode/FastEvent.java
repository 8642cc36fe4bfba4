package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.NumberOutput;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The common Socket.IO packets, an EVENT or an ACK without attachments in an Engine.IO message
 * ({@code 42["chat",{…}]}, {@code 43/admin,7[…]}), read without building a JSON tree: the payload
 * is checked with a streaming parser and its text kept as the decoded value ({@link Decoded#raw}).
 * That text must be exactly what Jackson writes for the tree {@link SocketIoDecoder} would build:
 * compact (no white space), strings without escapes, numbers as Jackson writes them back, no
 * duplicate keys. Anything else (and every packet that does not parse) gives null: the tree path
 * reads it, with the same outcome as before.
 */
final class FastEvent {
    /** As {@link Json#MAPPER} reads, plus duplicate keys reported (a tree keeps only the last). */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private FastEvent() {
    }

    /** The decoded packet of a text message {@code t} that starts with {@code 4}, or null to take the tree path. */
    static Decoded read(String t) {
        int n = t.length();
        if (n < 3) {
            return null;
        }
        char type = t.charAt(1);
        boolean event = type == '2';
        if (!event && type != '3') {
            return null;
        }
        int i = 2;
        String nsp = "/";
        if (t.charAt(i) == '/') {
            int comma = t.indexOf(',', i);
            if (comma < 0) {
                return null;
            }
            nsp = t.substring(i, comma);
            for (int k = 0; k < nsp.length(); k++) {
                char c = nsp.charAt(k);
                if (c < 0x20 || c == '"' || c == '\\') {
                    return null;
                }
            }
            i = comma + 1;
        }
        int idStart = i;
        while (i < n && i - idStart < 16 && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            i++;
        }
        long id = -1;
        if (i > idStart) {
            id = Long.parseLong(t, idStart, i, 10);
        } else if (!event) {
            return null; // an ACK without its id: the tree path says so
        }
        if (i >= n || t.charAt(i) != '[' || !compact(t, i)) {
            return null;
        }
        int base = i;
        String eventText = null;
        boolean eventIsString = false;
        int argsFrom; // offset in t of the first argument's ',' (EVENT) or '[' (ACK): "[" + t.substring(argsFrom + 1) is args
        int args = 0;
        try (JsonParser p = FACTORY.createParser(t.substring(base))) {
            p.nextToken(); // START_ARRAY
            JsonToken tok = p.nextToken();
            if (event) {
                if (tok == JsonToken.VALUE_STRING) {
                    eventIsString = true;
                    eventText = p.getText();
                } else if (tok == JsonToken.VALUE_NUMBER_INT) {
                    if (!canonical(p, tok)) {
                        return null;
                    }
                    eventText = p.getText();
                } else {
                    return null; // no name, a float name (written otherwise in summaries), or not an array member
                }
                tok = p.nextToken();
                argsFrom = tok == JsonToken.END_ARRAY ? -1 : base + (int) p.currentTokenLocation().getCharOffset() - 1;
            } else {
                argsFrom = base;
            }
            while (tok != JsonToken.END_ARRAY) {
                if (tok == null) {
                    return null;
                }
                args++;
                if (tok == JsonToken.START_ARRAY || tok == JsonToken.START_OBJECT) {
                    int depth = 1;
                    while (depth > 0) {
                        JsonToken x = p.nextToken();
                        if (x == null) {
                            return null;
                        }
                        if (x == JsonToken.START_ARRAY || x == JsonToken.START_OBJECT) {
                            depth++;
                        } else if (x == JsonToken.END_ARRAY || x == JsonToken.END_OBJECT) {
                            depth--;
                        } else if (!canonical(p, x)) {
                            return null;
                        }
                    }
                } else if (!canonical(p, tok)) {
                    return null;
                }
                tok = p.nextToken();
            }
            if (p.nextToken() != null) {
                return null; // trailing tokens
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        String typeName = event ? "EVENT" : "ACK";
        StringBuilder v = new StringBuilder(n + 64);
        v.append("{\"engineio\":\"message\",\"type\":\"").append(typeName).append("\",\"nsp\":\"").append(nsp).append('"');
        if (id >= 0) {
            v.append(",\"id\":").append(id);
        }
        if (event) {
            v.append(",\"event\":");
            if (eventIsString) {
                v.append('"').append(eventText).append('"');
            } else {
                v.append(eventText);
            }
        }
        v.append(",\"args\":");
        if (argsFrom < 0) {
            v.append("[]");
        } else {
            v.append('[').append(t, argsFrom + 1, n);
        }
        v.append('}');
        String argc = " (" + args + (args == 1 ? " arg)" : " args)");
        String summary;
        Map<String, String> f = new HashMap<>(8);
        f.put(Facets.OP, typeName);
        if (event) {
            summary = "EVENT " + (eventIsString ? Json.quote(eventText) : eventText) + " ns=" + nsp
                    + (id < 0 ? "" : " ack=" + id) + argc;
            if (eventIsString) {
                f.put(Facets.EVENT, eventText);
                f.put(Facets.NAME, eventText);
            }
            if (id >= 0) {
                f.put(Facets.REQUEST_ID, nsp + " " + id);
            }
        } else {
            summary = "ACK id=" + id + " ns=" + nsp + argc;
            f.put(Facets.RESPONSE_ID, nsp + " " + id);
        }
        return Decoded.ofRaw(SocketIoDecoder.NAME, summary, v.toString(), java.util.Collections.unmodifiableMap(f),
                id < 0 ? null : FastEvent::longId);
    }

    /** The tree path puts the ack id as a long. */
    private static com.fasterxml.jackson.databind.JsonNode longId(com.fasterxml.jackson.databind.JsonNode n) {
        if (n instanceof com.fasterxml.jackson.databind.node.ObjectNode o && o.has("id")) {
            o.put("id", o.get("id").asLong()); // same place in the object
        }
        return n;
    }

    /** No white space between tokens and no backslash (so no escapes in strings), from {@code from} on. */
    private static boolean compact(String t, int from) {
        boolean inString = false;
        for (int k = from, n = t.length(); k < n; k++) {
            char c = t.charAt(k);
            if (c == '"') {
                inString = !inString;
            } else if (c == '\\') {
                return false;
            } else if (!inString && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
                return false;
            }
        }
        return true;
    }

    /** Whether a scalar token's text is what Jackson writes back for its tree node. */
    private static boolean canonical(JsonParser p, JsonToken tok) throws IOException {
        if (tok == JsonToken.VALUE_NUMBER_INT) {
            String s = p.getText();
            return !(s.length() == 2 && s.charAt(0) == '-' && s.charAt(1) == '0');
        }
        if (tok == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getText().equals(NumberOutput.toString(p.getDoubleValue(), true));
        }
        return true;
    }
}
