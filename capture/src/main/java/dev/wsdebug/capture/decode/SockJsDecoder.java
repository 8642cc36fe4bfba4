package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SockJS framing on its WebSocket transport ({@code /prefix/<server>/<session>/websocket}). The
 * server sends {@code o} (open), {@code h} (heartbeat), {@code a[...]} (a JSON array of messages,
 * each a string), {@code m"..."} (one message, older servers) and {@code c[code,"reason"]}
 * (close); the client sends a JSON array of strings (or one JSON string). Every message is a
 * string of the application; one that is itself JSON is shown parsed.
 *
 * <p>The strings are often another protocol's messages (STOMP frames from stompjs or Spring's
 * client, Socket.IO…): the first string a specific decoder recognises (its {@code sniff}, then a
 * clean decode) makes it the connection's inner decoder, and every later string is read with it,
 * with a state of its own kept for the connection (a STOMP frame split over strings, a receipt
 * waiting for its answer). The facets of a frame's one inner message are the frame's, so filters
 * ({@code destination=}, {@code op=}) and request/answer pairing work through SockJS.
 */
final class SockJsDecoder implements PayloadDecoder {
    static final String NAME = "sockjs";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Messages named in a summary; the rest are counted. */
    private static final int SHOWN = 3;
    /** Strings of one frame read with the inner decoder; later ones are listed as text only. */
    static final int MAX_INNER = 1000;

    /** The specific decoders an inner message may speak (made once, on first use). */
    private static final class InnerDecoders {
        static final List<PayloadDecoder> ALL = Decoders.all().stream()
                .filter(d -> !d.generic() && !(d instanceof SockJsDecoder)).toList();
    }

    /** What one SockJS connection knows about the messages inside its frames. */
    private static final class Inner {
        /** Chosen by the first string a specific decoder recognises; null until then. */
        PayloadDecoder decoder;
        final DecodeState state = new DecodeState();

        /** The string read by the connection's inner decoder, or null when none recognises it. */
        Decoded decode(String text, Direction dir) {
            byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Message m = new Message(Opcode.TEXT, 1, false, b.length, b.length, b, false, null, -1, 0, List.of());
            if (decoder != null) {
                return ConnectionDecoding.safely(decoder, m, dir, state);
            }
            for (PayloadDecoder d : InnerDecoders.ALL) {
                if (d.sniff(m)) {
                    Decoded out = ConnectionDecoding.safely(d, m, dir, state);
                    if (out.ok()) {
                        decoder = d;
                        return out;
                    }
                }
            }
            return null;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The WebSocket URL of SockJS: {@code .../<server>/<session>/websocket}, the server id digits
     * (sockjs-client and Spring's client both use a random number below 1000) and the session id
     * without dots; Phoenix's {@code /socket/websocket?vsn=} is not it.
     */
    @Override
    public boolean claims(String subprotocol, String url) {
        if (url == null) {
            return false;
        }
        int q = url.indexOf('?');
        if (q >= 0 && url.indexOf("vsn=", q) >= 0) {
            return false;
        }
        String path = q < 0 ? url : url.substring(0, q);
        String[] seg = path.split("/", -1);
        int n = seg.length;
        if (n < 4 || !seg[n - 1].equals("websocket")) {
            return false;
        }
        String server = seg[n - 3];
        String session = seg[n - 2];
        return !server.isEmpty() && server.length() <= 8 && server.chars().allMatch(Character::isDigit)
                && !session.isEmpty() && session.length() <= 128 && session.indexOf('.') < 0;
    }

    @Override
    public boolean sniff(Message m) {
        if (!m.isText() || m.truncated() || m.payload().length == 0) {
            return false;
        }
        byte c = m.payload()[0];
        if (c == 'o') {
            return m.payload().length == 1;
        }
        if (c == 'a' || c == 'c') {
            Decoded d = frame(m.text(), Direction.S2C);
            return d.ok();
        }
        return false;
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState state) {
        if (!m.isText()) {
            return Decoded.failed(NAME, "SockJS frames are text; a binary message is none.");
        }
        if (m.truncated()) {
            return Decoded.failed(NAME, "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so it cannot be read as " + NAME + ".");
        }
        return frame(m.text(), dir, state.get(Inner.class, Inner::new));
    }

    /** One frame; {@code inner} null reads it without looking into its strings (for sniffing). */
    private static Decoded frame(String t, Direction dir) {
        return frame(t, dir, null);
    }

    private static Decoded frame(String t, Direction dir, Inner inner) {
        if (t.isEmpty()) {
            return Decoded.failed(NAME, "An empty message is no SockJS frame (o, h, a, m, c, or the client's JSON array).");
        }
        char c = t.charAt(0);
        String rest = t.substring(1);
        ObjectNode v = F.objectNode();
        switch (c) {
            case 'o', 'h' -> {
                if (!rest.isEmpty()) {
                    return Decoded.failed(NAME, "A SockJS '" + c + "' frame is that one letter, but this one goes on.");
                }
                v.put("frame", c == 'o' ? "open" : "heartbeat");
                return Decoded.of(NAME, c == 'o' ? "open" : "heartbeat", v);
            }
            case 'c' -> {
                JsonNode n = json(rest);
                if (n == null || !n.isArray() || n.size() != 2 || !n.get(0).canConvertToInt() || !n.get(1).isTextual()) {
                    return Decoded.failed(NAME, "A SockJS close frame is c followed by [code, \"reason\"].");
                }
                v.put("frame", "close");
                v.put("code", n.get(0).asInt());
                v.put("reason", n.get(1).asText());
                return Decoded.of(NAME, "close " + n.get(0).asInt() + " " + Json.quote(n.get(1).asText()), v);
            }
            case 'a' -> {
                return messages(json(rest), "message", "A SockJS 'a' frame carries a JSON array of strings.", dir, inner);
            }
            case 'm' -> {
                JsonNode n = json(rest);
                if (n == null || !n.isTextual()) {
                    return Decoded.failed(NAME, "A SockJS 'm' frame carries one JSON string.");
                }
                ArrayNode one = F.arrayNode().add(n);
                return messages(one, "message", null, dir, inner);
            }
            case '[', '"' -> {
                JsonNode n = json(t);
                if (n != null && n.isTextual()) {
                    n = F.arrayNode().add(n);
                }
                return messages(n, "send", "What a SockJS client sends is a JSON array of strings.", dir, inner);
            }
            default -> {
                return Decoded.failed(NAME, "A SockJS frame starts with o, h, a, m or c (or is the client's JSON array),"
                        + " not " + Json.quote(t.substring(0, Math.min(t.length(), 8))) + ".");
            }
        }
    }

    private static Decoded messages(JsonNode n, String verb, String shape, Direction dir, Inner inner) {
        if (n == null || !n.isArray()) {
            return Decoded.failed(NAME, shape);
        }
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                return Decoded.failed(NAME, shape + " Member " + (i + 1) + " is not a string.");
            }
        }
        ArrayNode out = F.arrayNode();
        List<String> shown = new ArrayList<>();
        Map<String, String> facets = null;
        for (JsonNode s : n) {
            ObjectNode one = F.objectNode();
            String text = s.asText();
            one.put("text", text);
            Decoded d = inner != null && out.size() < MAX_INNER ? inner.decode(text, dir) : null;
            JsonNode parsed = d == null && looksJson(text) ? json(text) : null;
            if (d != null) {
                one.set("decoded", decodedValue(d));
                if (facets == null && d.ok()) {
                    facets = new HashMap<>(d.facets());
                    facets.put(Facets.CARRIES, d.protocol());
                }
            } else if (parsed != null) {
                one.set("json", parsed);
            }
            out.add(one);
            if (shown.size() < SHOWN) {
                shown.add(d != null ? d.protocol() + (d.ok() ? " " + d.summary() : " (not read: " + d.problem() + ")")
                        : parsed != null ? "json " + JsonDecoder.summary(parsed) : Json.quote(text));
            }
        }
        ObjectNode v = F.objectNode();
        v.put("frame", verb.equals("send") ? "send" : "messages");
        v.set("messages", out);
        String list = String.join(", ", shown) + (n.size() > shown.size() ? ", …" : "");
        String s = n.size() == 1 ? verb + " " + list : verb + "s " + n.size() + ": " + list;
        if (n.isEmpty()) {
            s = verb + "s 0";
        }
        Decoded frame = Decoded.of(NAME, s, v);
        if (facets == null) {
            return frame;
        }
        if (n.size() > 1) {
            // the strings of one frame answer and ask separately; one pair for the whole frame would be wrong
            facets.remove(Facets.REQUEST_ID);
            facets.remove(Facets.RESPONSE_ID);
            facets.remove(Facets.PARTIAL);
        }
        return frame.withFacets(facets);
    }

    /** An inner message's reading as the {@code decoded} field of the JSON Lines writes it. */
    private static ObjectNode decodedValue(Decoded d) {
        ObjectNode o = F.objectNode();
        o.put("protocol", d.protocol());
        if (d.summary() != null) {
            o.put("summary", d.summary());
        }
        if (d.value() != null) {
            o.set("value", d.value());
        }
        if (d.problem() != null) {
            o.put("problem", d.problem());
        }
        return o;
    }

    /** Whether the text starts, after white space, with { or [ (then it is worth parsing). */
    static boolean looksJson(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return c == '{' || c == '[';
            }
        }
        return false;
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
