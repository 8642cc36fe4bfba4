package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * STOMP 1.0, 1.1 and 1.2 (stomp.github.io): a command line, header lines ({@code name:value}, with the
 * 1.1/1.2 escapes {@code \r \n \c \\} outside CONNECT and CONNECTED), a blank line and a body that
 * ends at a NUL byte or after {@code content-length} bytes. Lone line ends between frames are
 * heart-beats. A WebSocket message may carry several frames, and a frame may be split over messages
 * (stompjs's {@code splitLargeFrames}): the unfinished part waits in the connection's state, per
 * direction, up to {@link #MAX_PENDING} bytes.
 */
final class StompDecoder implements PayloadDecoder {
    /** The most of an unfinished frame kept waiting for its next message. */
    static final int MAX_PENDING = 16 << 20;
    /** The frames of one message described in its value; the others are only counted. */
    private static final int MAX_LISTED = 1000;
    private static final Set<String> COMMANDS = Set.of("CONNECT", "STOMP", "CONNECTED", "SEND", "SUBSCRIBE",
            "UNSUBSCRIBE", "ACK", "NACK", "BEGIN", "COMMIT", "ABORT", "DISCONNECT", "MESSAGE", "RECEIPT", "ERROR");
    private static final Set<String> SUBPROTOCOLS = Set.of("v10.stomp", "v11.stomp", "v12.stomp", "stomp");

    /** What one connection leaves between messages. */
    private static final class State {
        final Map<Direction, PendingBytes> pending = new EnumMap<>(Direction.class);
        /** The version CONNECTED named ("1.0" means no header escapes), null until seen. */
        String version;
    }

    @Override
    public String name() {
        return "stomp";
    }

    @Override
    public boolean claims(String subprotocol, String url) {
        return subprotocol != null && SUBPROTOCOLS.contains(subprotocol.trim().toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean sniff(Message m) {
        if (!m.isText()) {
            return false;
        }
        byte[] p = m.payload();
        int i = 0;
        while (i < p.length && i < 16 && p[i] >= 'A' && p[i] <= 'Z') {
            i++;
        }
        if (i == 0 || i >= p.length || !COMMANDS.contains(new String(p, 0, i, StandardCharsets.US_ASCII))) {
            return false;
        }
        return p[i] == '\n' || (p[i] == '\r' && i + 1 < p.length && p[i + 1] == '\n');
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState ds) {
        State state = ds.get(State.class, State::new);
        PendingBytes before = state.pending.remove(dir);
        if (m.truncated() || m.missing() > 0) {
            return Decoded.failed(name(), "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so its STOMP frames cannot be read"
                    + (before != null ? " (and the frame begun in an earlier message is dropped)." : "."));
        }
        byte[] payload = m.payload();
        if (before != null && command(before.head(20), 0) != null
                && (indexOf(payload, (byte) 0, 0, payload.length) < 0 || before.size() + (long) payload.length < before.need)) {
            // no frame can end in this message (no NUL, or short of its content-length): kept without reading it again
            if (before.size() + (long) payload.length > MAX_PENDING) {
                return Decoded.failed(name(), "A frame of more than " + MAX_PENDING + " bytes has no end yet;"
                        + " it is not kept waiting for more.");
            }
            before.append(payload);
            state.pending.put(dir, before);
            byte[] head = before.head(20);
            return Decoded.of(name(), partial(head, 0, before.size()), partialValue(head, 0, before.size()));
        }
        byte[] buf = before == null ? payload : before.join(payload);
        int carried = before == null ? 0 : before.size();

        List<ObjectNode> frames = new ArrayList<>();
        List<String> summaries = new ArrayList<>();
        int counted = 0;
        int heartbeats = 0;
        int pos = 0;
        while (true) {
            // line ends between frames: heart-beats (or the optional EOLs after a frame's NUL)
            int eols = 0;
            while (pos < buf.length && (buf[pos] == '\n' || (buf[pos] == '\r' && pos + 1 < buf.length && buf[pos + 1] == '\n'))) {
                pos += buf[pos] == '\r' ? 2 : 1;
                eols++;
            }
            if (counted == 0) {
                heartbeats += eols;
            }
            if (pos >= buf.length || (buf[pos] == '\r' && pos + 1 == buf.length)) {
                if (pos < buf.length) {
                    state.pending.put(dir, new PendingBytes(buf, pos, 0));
                }
                break;
            }
            Object r = frame(buf, pos, state);
            if (r instanceof String problem) {
                return Decoded.failed(name(), (counted > 0 ? "Frame " + (counted + 1) + ": " : "") + problem);
            }
            if (r == null || r instanceof Long) {
                // the frame goes on in a later message
                if (buf.length - pos > MAX_PENDING) {
                    return Decoded.failed(name(), "A frame of more than " + MAX_PENDING + " bytes has no end yet;"
                            + " it is not kept waiting for more.");
                }
                state.pending.put(dir, new PendingBytes(buf, pos, r == null ? 0 : (Long) r));
                summaries.add(partial(buf, pos, buf.length - pos));
                if (frames.size() < MAX_LISTED) {
                    frames.add(partialValue(buf, pos, buf.length - pos));
                }
                counted++;
                break;
            }
            Parsed f = (Parsed) r;
            pos = f.end;
            counted++;
            if ("CONNECTED".equals(f.command) && f.first("version") != null) {
                state.version = f.first("version");
            }
            if (frames.size() < MAX_LISTED) {
                frames.add(f.value());
                summaries.add(f.summary());
            }
        }

        if (counted == 0) {
            if (heartbeats == 0) {
                // only a lone CR, waiting for its LF
                return Decoded.of(name(), "partial heartbeat", Json.MAPPER.createObjectNode().put("command", "heartbeat"));
            }
            ObjectNode hb = Json.MAPPER.createObjectNode().put("command", "heartbeat").put("eols", heartbeats);
            return Decoded.of(name(), "heartbeat", hb);
        }
        String summary;
        ObjectNode value;
        if (counted == 1) {
            value = frames.get(0);
            summary = summaries.get(0);
        } else {
            value = Json.MAPPER.createObjectNode();
            ArrayNode arr = value.putArray("frames");
            frames.forEach(arr::add);
            if (counted > frames.size()) {
                value.put("notListed", counted - frames.size());
            }
            List<String> shown = summaries.subList(0, Math.min(3, summaries.size()));
            summary = counted + " frames: " + String.join("; ", shown) + (counted > shown.size() ? "; …" : "");
        }
        if (carried > 0) {
            value.put("continuedBytes", carried);
        }
        return Decoded.of(name(), summary, value).withFacets(facets(frames.isEmpty() ? value : frames.get(0), counted == 1));
    }

    /**
     * What filters and pairing use, from the (first) frame: its command and destination; a client
     * frame with a {@code receipt} header waits for the RECEIPT with that {@code receipt-id}, a
     * CONNECT (or STOMP) for CONNECTED.
     */
    static java.util.Map<String, String> facets(com.fasterxml.jackson.databind.JsonNode o, boolean single) {
        java.util.Map<String, String> f = new java.util.HashMap<>();
        String command = o.path("command").asText(null);
        String destination = o.path("headers").path("destination").asText(null);
        f.put(Facets.OP, command);
        f.put(Facets.DESTINATION, destination);
        f.put(Facets.NAME, command == null ? null : destination == null ? command : command + " " + destination);
        if (single && command != null) {
            String receipt = o.path("headers").path("receipt").asText(null);
            if (receipt != null) {
                f.put(Facets.REQUEST_ID, "receipt " + receipt);
            } else if (command.equals("CONNECT") || command.equals("STOMP")) {
                f.put(Facets.REQUEST_ID, "connect");
            }
            if (command.equals("RECEIPT")) {
                f.put(Facets.RESPONSE_ID, "receipt " + o.path("headers").path("receipt-id").asText());
            } else if (command.equals("CONNECTED")) {
                f.put(Facets.RESPONSE_ID, "connect");
            }
        }
        return f;
    }

    /** The command of a frame begun at {@code pos}, when its line is complete and is one. */
    private static String command(byte[] buf, int pos) {
        int nl = indexOf(buf, (byte) '\n', pos, Math.min(buf.length, pos + 20));
        if (nl < 0) {
            return null;
        }
        String c = new String(buf, pos, nl - pos, StandardCharsets.UTF_8).strip();
        return COMMANDS.contains(c) ? c : null;
    }

    private static String partial(byte[] buf, int pos, int soFar) {
        String c = command(buf, pos);
        return "partial " + (c == null ? "" : c + " ") + "frame (" + soFar + " B so far, the rest in a later message)";
    }

    private static ObjectNode partialValue(byte[] buf, int pos, int soFar) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("partial", true);
        String cmd = command(buf, pos);
        if (cmd != null) {
            o.put("command", cmd);
        }
        o.put("bytesSoFar", soFar);
        return o;
    }

    private static int indexOf(byte[] b, byte x, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    /** One parsed frame. */
    private record Parsed(String command, List<String[]> headers, byte[] body, int end) {
        String first(String name) {
            for (String[] h : headers) {
                if (h[0].equals(name)) {
                    return h[1];
                }
            }
            return null;
        }

        ObjectNode value() {
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("command", command);
            ObjectNode hs = o.putObject("headers");
            ArrayNode list = Json.MAPPER.createArrayNode();
            for (String[] h : headers) {
                String v = "passcode".equals(h[0]) ? "(hidden, " + h[1].getBytes(StandardCharsets.UTF_8).length + " bytes)" : h[1];
                if (!hs.has(h[0])) {
                    hs.put(h[0], v); // STOMP 1.2: the first of repeated headers is the one that counts
                }
                list.addArray().add(h[0]).add(v);
            }
            o.set("headerList", list);
            String text = utf8(body);
            if (text != null) {
                o.put("body", text);
            } else {
                o.put("body", Base64.getEncoder().encodeToString(body));
                o.put("bodyEncoding", "base64");
            }
            o.put("bodyLength", body.length);
            return o;
        }

        String summary() {
            StringBuilder s = new StringBuilder(command);
            switch (command) {
                case "CONNECT", "STOMP" -> add(s, "accept-version", "host", "login", "heart-beat");
                case "CONNECTED" -> add(s, "version", "heart-beat", "session", "server");
                case "SEND" -> add(s, "destination", "transaction", "content-type");
                case "SUBSCRIBE" -> add(s, "id", "destination", "ack");
                case "UNSUBSCRIBE" -> add(s, "id");
                case "MESSAGE" -> add(s, "destination", "subscription", "message-id", "ack");
                case "ACK", "NACK" -> add(s, "id", "message-id", "subscription", "transaction");
                case "BEGIN", "COMMIT", "ABORT" -> add(s, "transaction");
                case "RECEIPT" -> add(s, "receipt-id");
                case "ERROR" -> add(s, "message", "receipt-id");
                default -> {
                }
            }
            if (!"RECEIPT".equals(command)) {
                add(s, "receipt");
            }
            if (body.length > 0) {
                s.append(" (").append(body.length).append(" B body)");
            }
            return s.toString();
        }

        private void add(StringBuilder s, String... names) {
            for (String n : names) {
                String v = first(n);
                if (v != null) {
                    String shown = v.length() > 60 ? v.substring(0, 60) + "…" : v;
                    s.append(' ').append(n).append('=').append(shown.indexOf(' ') >= 0 || shown.isEmpty()
                            ? Json.quote(shown) : shown);
                }
            }
        }
    }

    /** The text of these bytes when they are valid UTF-8, else null. */
    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * The frame that starts at {@code pos}: a {@link Parsed}; when it goes on past the end of
     * {@code buf}, the length of the whole frame if its content-length tells (a Long), else null; or a
     * sentence saying why it is not a STOMP frame.
     */
    private static Object frame(byte[] buf, int pos, State state) {
        int nl = indexOf(buf, (byte) '\n', pos, buf.length);
        if (nl < 0) {
            int len = buf.length - pos;
            return len > 20 ? "\"" + printable(buf, pos, 20) + "…\" is not a STOMP command." : null;
        }
        String command = new String(buf, pos, lineEnd(buf, pos, nl) - pos, StandardCharsets.UTF_8);
        if (!COMMANDS.contains(command)) {
            return "\"" + printable(buf, pos, Math.min(nl - pos, 30)) + "\" is not a STOMP command.";
        }
        boolean escapes = !"CONNECT".equals(command) && !"CONNECTED".equals(command) && !"1.0".equals(state.version);
        List<String[]> headers = new ArrayList<>();
        int p = nl + 1;
        while (true) {
            int e = indexOf(buf, (byte) '\n', p, buf.length);
            if (e < 0) {
                return null;
            }
            int end = lineEnd(buf, p, e);
            if (end == p) {
                p = e + 1;
                break;
            }
            String line = new String(buf, p, end - p, StandardCharsets.UTF_8);
            int colon = line.indexOf(':');
            if (colon < 0) {
                return "Header line " + (headers.size() + 1) + " of " + command + " has no colon: \""
                        + (line.length() > 40 ? line.substring(0, 40) + "…" : line) + "\".";
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1);
            if (escapes) {
                name = unescape(name);
                value = unescape(value);
                if (name == null || value == null) {
                    return "Header line " + (headers.size() + 1) + " of " + command + " has an undefined escape"
                            + " (only \\r, \\n, \\c and \\\\ exist).";
                }
            }
            headers.add(new String[] {name, value});
            p = e + 1;
        }
        String cl = null;
        for (String[] h : headers) {
            if (h[0].equals("content-length")) {
                cl = h[1];
                break;
            }
        }
        int bodyEnd;
        if (cl != null) {
            long n;
            try {
                n = Long.parseLong(cl.strip());
            } catch (NumberFormatException e) {
                return command + " has content-length \"" + (cl.length() > 20 ? cl.substring(0, 20) + "…" : cl)
                        + "\", which is not a number of bytes.";
            }
            if (n < 0) {
                return command + " has a negative content-length (" + n + ").";
            }
            if (n > MAX_PENDING) {
                return command + " announces a body of " + n + " bytes, more than the " + MAX_PENDING + " read here.";
            }
            if (p + n >= buf.length) {
                return p + n + 1 - pos; // the whole frame's length, when its NUL follows the body
            }
            bodyEnd = (int) (p + n);
            if (buf[bodyEnd] != 0) {
                return command + "'s body of content-length " + n + " is not followed by the NUL that ends a frame.";
            }
        } else {
            bodyEnd = indexOf(buf, (byte) 0, p, buf.length);
            if (bodyEnd < 0) {
                return null;
            }
        }
        return new Parsed(command, headers, Arrays.copyOfRange(buf, p, bodyEnd), bodyEnd + 1);
    }

    /** Where the line ending with the LF at {@code lf} ends, before a CR. */
    private static int lineEnd(byte[] buf, int start, int lf) {
        return lf > start && buf[lf - 1] == '\r' ? lf - 1 : lf;
    }

    private static String printable(byte[] buf, int from, int len) {
        StringBuilder s = new StringBuilder();
        String t = new String(buf, from, Math.min(len, buf.length - from), StandardCharsets.UTF_8);
        for (char c : t.toCharArray()) {
            s.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.toString();
    }

    /** The header text with its escapes resolved, or null when it has an undefined one. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i == s.length()) {
                return null;
            }
            switch (s.charAt(i)) {
                case 'r' -> out.append('\r');
                case 'n' -> out.append('\n');
                case 'c' -> out.append(':');
                case '\\' -> out.append('\\');
                default -> {
                    return null;
                }
            }
        }
        return out.toString();
    }
}
