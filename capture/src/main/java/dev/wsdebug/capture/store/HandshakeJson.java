package dev.wsdebug.capture.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.wire.Extension;
import dev.wsdebug.wire.HandshakeResult;

import java.util.List;

/**
 * A handshake for the UI's Handshake tab: its JSON Lines object, plus what a reader has to work
 * out by hand from it: every negotiated extension parameter with what it does to which direction,
 * and for a refused or invalid upgrade one sentence saying why.
 */
final class HandshakeJson {
    private HandshakeJson() {
    }

    static JsonNode of(JsonNode rendered, HandshakeEvent h) {
        ObjectNode out = (ObjectNode) rendered;
        HandshakeResult r = h.result();
        out.put("valid", r != null && r.valid());
        ArrayNode problems = out.putArray("problems");
        if (r != null && r.problems() != null) {
            r.problems().forEach(problems::add);
        }
        ArrayNode explained = out.putArray("extensionsExplained");
        if (r != null && r.extensions() != null) {
            try {
                for (Extension e : Extension.parseHeader(r.extensions())) {
                    explain(e, explained);
                }
            } catch (IllegalArgumentException bad) {
                ObjectNode x = explained.addObject();
                x.put("extension", r.extensions());
                x.putNull("param");
                x.putNull("value");
                x.put("meaning", "The header does not follow the extension grammar: " + bad.getMessage());
            }
        }
        out.put("failure", failure(h));
        return out;
    }

    private static void explain(Extension e, ArrayNode out) {
        if (!e.name().equalsIgnoreCase("permessage-deflate")) {
            ObjectNode x = out.addObject();
            x.put("extension", e.name());
            x.putNull("param");
            x.putNull("value");
            x.put("meaning", "An extension wsdebug does not decode: frames using its RSV bits are shown as they are.");
            return;
        }
        ObjectNode base = out.addObject();
        base.put("extension", e.name());
        base.putNull("param");
        base.putNull("value");
        base.put("meaning", "Messages may be compressed with DEFLATE (RFC 7692): a compressed message has RSV1 set on its"
                + " first frame. Parameters not listed keep their defaults: both sides keep their context between"
                + " messages, with 32 KiB windows.");
        for (Extension.Param p : e.params()) {
            ObjectNode x = out.addObject();
            x.put("extension", e.name());
            x.put("param", p.name());
            x.put("value", p.value());
            x.put("meaning", meaning(p));
        }
    }

    private static String meaning(Extension.Param p) {
        String v = p.value() == null ? "" : p.value().replace("\"", "");
        return switch (p.name().toLowerCase(java.util.Locale.ROOT)) {
            case "server_no_context_takeover" -> "Server to client: the server resets its compressor after every message,"
                    + " so each message inflates on its own.";
            case "client_no_context_takeover" -> "Client to server: the client resets its compressor after every message,"
                    + " so each message inflates on its own.";
            case "server_max_window_bits" -> "Server to client: the server's LZ77 window is at most 2^" + (v.isEmpty() ? "15" : v)
                    + " bytes" + (v.isEmpty() ? "" : " (" + window(v) + ")") + ".";
            case "client_max_window_bits" -> v.isEmpty()
                    ? "Client to server: the client can limit its window (an offer; the server did not pick a size, so 15 bits)."
                    : "Client to server: the client's LZ77 window is at most 2^" + v + " bytes (" + window(v) + ").";
            default -> "A parameter RFC 7692 does not define: the handshake is invalid.";
        };
    }

    private static String window(String bits) {
        try {
            int b = Integer.parseInt(bits);
            return b >= 10 ? (1 << (b - 10)) + " KiB" : (1 << b) + " bytes";
        } catch (NumberFormatException e) {
            return "not a number";
        }
    }

    private static String failure(HandshakeEvent h) {
        HandshakeResult r = h.result();
        if (h.response() == null) {
            return "The server sent no response to the upgrade request.";
        }
        if (r == null) {
            return null;
        }
        if (!r.upgraded()) {
            return "The server answered " + r.status() + " instead of 101 Switching Protocols, so the connection was not"
                    + " upgraded" + (r.status() == 401 || r.status() == 403 ? " (authentication or an Origin check refused it)"
                    : r.status() == 404 ? " (nothing serves WebSocket at that path)" : r.status() == 426
                    ? " (the server wants another protocol version)" : "") + ".";
        }
        if (!r.valid()) {
            List<String> p = r.problems();
            return "The server switched protocols but the handshake is invalid" + (p == null || p.isEmpty() ? "."
                    : ": " + p.get(0));
        }
        return null;
    }
}
