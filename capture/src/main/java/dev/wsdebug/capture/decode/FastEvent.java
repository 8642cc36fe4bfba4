package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.core.io.NumberOutput;

import java.util.HashMap;
import java.util.Map;

/**
 * The common Socket.IO packets, an EVENT or an ACK without attachments in an Engine.IO message
 * ({@code 42["chat",{…}]}, {@code 43/admin,7[…]}), read without building a JSON tree: the payload
 * is checked by a small scanner of the compact JSON Jackson writes, and its text kept as the decoded value ({@link Decoded#raw}).
 * That text must be exactly what Jackson writes for the tree {@link SocketIoDecoder} would build:
 * compact (no white space), strings without escapes, numbers as Jackson writes them back, no
 * duplicate keys. Anything else (and every packet that does not parse) gives null: the tree path
 * reads it, with the same outcome as before.
 */
final class FastEvent {
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
        if (i >= n || t.charAt(i) != '[') {
            return null;
        }
        Scan sc = new Scan(t, i + 1);
        String eventText = null;
        boolean eventIsString = false;
        int argsFrom; // offset in t of the first argument's ',' (EVENT) or '[' (ACK): "[" + t.substring(argsFrom + 1) is args
        int args = 0;
        if (event) {
            char c = sc.peek();
            int from = sc.i;
            if (c == '"') {
                if (!sc.string(MAX_NAME)) {
                    return null;
                }
                eventIsString = true;
                eventText = t.substring(from + 1, sc.i - 1);
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                if (sc.number() != INT) {
                    return null; // a float name is written otherwise in summaries: the tree path
                }
                eventText = t.substring(from, sc.i);
            } else {
                return null;
            }
            argsFrom = sc.peek() == ',' ? sc.i : -1;
        } else {
            argsFrom = i;
            if (sc.peek() != ']') {
                sc.i--; // as if a ',' came before the first argument
            }
        }
        while (true) {
            char c = sc.peek();
            if (c == ']') {
                sc.i++;
                break;
            }
            if (c != ',' && !(args == 0 && !event && sc.i == i)) {
                return null;
            }
            sc.i++;
            if (!sc.value(1)) {
                return null;
            }
            args++;
        }
        if (sc.i != n) {
            return null; // trailing text
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

    private static final int MAX_NAME = 10_000;
    private static final int MAX_STRING = 1_000_000;
    private static final int MAX_DEPTH = 200;
    private static final int MAX_KEYS = 64;
    private static final int FAIL = 0;
    private static final int INT = 1;
    private static final int FLOAT = 2;

    /**
     * A check of JSON in the compact form Jackson writes: no white space, strings without escapes or control
     * characters, integers other than -0, floats only as Jackson writes their double back, no key twice in an
     * object; limits well under Jackson's. Each method moves {@code i} past what it read, false (FAIL) when the
     * text is not of that form (or not JSON).
     */
    private static final class Scan {
        final String t;
        final int n;
        int i;
        /** Key ranges (start, end) of the objects being read, innermost last. */
        int[] keys = new int[2 * MAX_KEYS];
        int nk;

        Scan(String t, int i) {
            this.t = t;
            this.n = t.length();
            this.i = i;
        }

        char peek() {
            return i < n ? t.charAt(i) : 0;
        }

        boolean value(int depth) {
            if (i >= n) {
                return false;
            }
            char c = t.charAt(i);
            switch (c) {
                case '"':
                    return string(MAX_STRING);
                case '[':
                    return depth < MAX_DEPTH && array(depth + 1);
                case '{':
                    return depth < MAX_DEPTH && object(depth + 1);
                case 't':
                    return word("true");
                case 'f':
                    return word("false");
                case 'n':
                    return word("null");
                default:
                    return (c == '-' || (c >= '0' && c <= '9')) && number() != FAIL;
            }
        }

        private boolean word(String w) {
            if (t.startsWith(w, i)) {
                i += w.length();
                return true;
            }
            return false;
        }

        boolean string(int max) {
            int from = ++i;
            while (i < n) {
                char c = t.charAt(i);
                if (c == '"') {
                    i++;
                    return i - from <= max;
                }
                if (c == '\\' || c < 0x20) {
                    return false;
                }
                i++;
            }
            return false;
        }

        private boolean array(int depth) {
            i++;
            if (peek() == ']') {
                i++;
                return true;
            }
            while (true) {
                if (!value(depth)) {
                    return false;
                }
                char c = peek();
                i++;
                if (c == ']') {
                    return true;
                }
                if (c != ',') {
                    return false;
                }
            }
        }

        private boolean object(int depth) {
            i++;
            if (peek() == '}') {
                i++;
                return true;
            }
            int first = nk;
            while (true) {
                if (peek() != '"') {
                    return false;
                }
                int from = i + 1;
                if (!string(MAX_NAME)) {
                    return false;
                }
                int to = i - 1;
                for (int k = first; k < nk; k += 2) {
                    if (keys[k + 1] - keys[k] == to - from && t.regionMatches(keys[k], t, from, to - from)) {
                        return false; // a key twice: the tree keeps one of them
                    }
                }
                if (nk == keys.length) {
                    return false;
                }
                keys[nk++] = from;
                keys[nk++] = to;
                if (peek() != ':') {
                    return false;
                }
                i++;
                if (!value(depth)) {
                    return false;
                }
                char c = peek();
                i++;
                if (c == '}') {
                    nk = first;
                    return true;
                }
                if (c != ',') {
                    return false;
                }
            }
        }

        /** INT, FLOAT or FAIL. */
        int number() {
            int from = i;
            if (peek() == '-') {
                i++;
            }
            int digits = i;
            char c = peek();
            if (c == '0') {
                i++;
            } else if (c >= '1' && c <= '9') {
                while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                    i++;
                }
            } else {
                return FAIL;
            }
            if (i - digits > 100) {
                return FAIL;
            }
            boolean fp = false;
            if (peek() == '.') {
                fp = true;
                i++;
                int d = i;
                while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                    i++;
                }
                if (i == d) {
                    return FAIL;
                }
            }
            c = peek();
            if (c == 'e' || c == 'E') {
                fp = true;
                i++;
                if (peek() == '+' || peek() == '-') {
                    i++;
                }
                int d = i;
                while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                    i++;
                }
                if (i == d) {
                    return FAIL;
                }
            }
            if (i - from > 100) {
                return FAIL;
            }
            if (!fp) {
                return i - from == 2 && t.charAt(from) == '-' && t.charAt(from + 1) == '0' ? FAIL : INT;
            }
            String s = t.substring(from, i);
            return s.equals(NumberOutput.toString(Double.parseDouble(s), true)) ? FLOAT : FAIL;
        }
    }

}
