package dev.wsdebug.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The RFC 6455 section 4 opening handshake over HTTP/1.1: computes Sec-WebSocket-Accept and checks
 * a request/response pair, saying in one sentence each what is wrong.
 */
public final class Handshake {
    /** The GUID of RFC 6455 section 1.3. */
    public static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private Handshake() {
    }

    /** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)). */
    public static String acceptFor(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] d = sha1.digest((key.trim() + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-1", e);
        }
    }

    /** What is wrong with an upgrade request on its own; empty when it is a valid RFC 6455 request. */
    public static List<String> checkRequest(HttpHead req) {
        List<String> p = new ArrayList<>();
        if (!"GET".equals(req.method())) {
            p.add("The upgrade request uses method " + req.method() + "; RFC 6455 requires GET.");
        }
        if (!"HTTP/1.1".equals(req.version())) {
            p.add("The upgrade request is " + req.version() + "; RFC 6455 requires HTTP/1.1 or later.");
        }
        if (req.header("Host") == null) {
            p.add("The upgrade request has no Host header.");
        }
        if (!req.tokens("Upgrade").contains("websocket")) {
            p.add(req.header("Upgrade") == null ? "The request has no Upgrade: websocket header."
                    : "The request's Upgrade header is \"" + req.header("Upgrade") + "\", not websocket.");
        }
        if (!req.tokens("Connection").contains("upgrade")) {
            p.add(req.header("Connection") == null ? "The request has no Connection: Upgrade header."
                    : "The request's Connection header \"" + req.header("Connection") + "\" does not include Upgrade.");
        }
        String key = req.header("Sec-WebSocket-Key");
        if (key == null) {
            p.add("The request has no Sec-WebSocket-Key header.");
        } else if (!isNonce(key)) {
            p.add("Sec-WebSocket-Key \"" + key + "\" is not 16 bytes in base64.");
        }
        String version = req.header("Sec-WebSocket-Version");
        if (version == null) {
            p.add("The request has no Sec-WebSocket-Version header.");
        } else if (!"13".equals(version.trim())) {
            p.add("The request asks for WebSocket version " + version + "; only 13 exists.");
        }
        return p;
    }

    private static boolean isNonce(String key) {
        try {
            return Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Checks a response against the request it answers. */
    public static HandshakeResult check(HttpHead req, HttpHead resp) {
        List<String> problems = new ArrayList<>();
        int status = resp.status();
        String key = req.header("Sec-WebSocket-Key");
        String expected = key == null ? null : acceptFor(key);
        String actual = resp.header("Sec-WebSocket-Accept");
        boolean acceptValid = expected != null && expected.equals(actual == null ? null : actual.trim());
        String subprotocol = resp.header("Sec-WebSocket-Protocol");
        String extensions = resp.joined("Sec-WebSocket-Extensions");
        DeflateParams deflate = null;

        if (status != 101) {
            problems.add(statusSentence(resp));
        } else {
            problems.addAll(checkRequest(req));
            if (!resp.tokens("Upgrade").contains("websocket")) {
                problems.add(resp.header("Upgrade") == null ? "The 101 response has no Upgrade: websocket header."
                        : "The 101 response's Upgrade header is \"" + resp.header("Upgrade") + "\", not websocket.");
            }
            if (!resp.tokens("Connection").contains("upgrade")) {
                problems.add(resp.header("Connection") == null ? "The 101 response has no Connection: Upgrade header."
                        : "The 101 response's Connection header \"" + resp.header("Connection") + "\" does not include Upgrade.");
            }
            if (actual == null) {
                problems.add("The 101 response has no Sec-WebSocket-Accept header.");
            } else if (expected != null && !acceptValid) {
                problems.add("Sec-WebSocket-Accept is \"" + actual.trim() + "\" but the key requires \"" + expected + "\".");
            }
            deflate = negotiated(req, resp, problems);
        }
        return new HandshakeResult(status == 101 && problems.isEmpty(), status, expected, actual,
                acceptValid, subprotocol, extensions, deflate, List.copyOf(problems));
    }

    /**
     * Checks what the response selected (subprotocol, extensions) against the request's offer, the
     * same over HTTP/1.1 and HTTP/2; returns the deflate parameters in force.
     */
    static DeflateParams negotiated(HttpHead req, HttpHead resp, List<String> problems) {
        String subprotocol = resp.header("Sec-WebSocket-Protocol");
        List<String> offered = req.tokens("Sec-WebSocket-Protocol");
        if (subprotocol != null && !offered.contains(subprotocol.trim().toLowerCase(Locale.ROOT))) {
            problems.add(offered.isEmpty()
                    ? "The server chose subprotocol \"" + subprotocol + "\" but the client offered none."
                    : "The server chose subprotocol \"" + subprotocol + "\", which the client did not offer " + offered + ".");
        }
        return checkExtensions(req, resp.joined("Sec-WebSocket-Extensions"), problems);
    }

    /** Checks the accepted extensions against the offer; returns the deflate parameters in force. */
    private static DeflateParams checkExtensions(HttpHead req, String accepted, List<String> problems) {
        if (accepted == null) {
            return null;
        }
        List<Extension> response;
        List<Extension> offer;
        try {
            response = Extension.parseHeader(accepted);
        } catch (IllegalArgumentException e) {
            problems.add("The response's Sec-WebSocket-Extensions is malformed: " + e.getMessage());
            return null;
        }
        try {
            offer = Extension.parseHeader(req.joined("Sec-WebSocket-Extensions"));
        } catch (IllegalArgumentException e) {
            offer = List.of();
        }
        DeflateParams deflate = null;
        for (Extension e : response) {
            boolean wasOffered = offer.stream().anyMatch(o -> o.name().equalsIgnoreCase(e.name()));
            if (!wasOffered) {
                problems.add("The server accepted extension " + e.name() + ", which the client did not offer.");
                continue;
            }
            if (!DeflateParams.NAME.equalsIgnoreCase(e.name())) {
                continue;
            }
            if (deflate != null) {
                problems.add("The server accepted permessage-deflate twice.");
                continue;
            }
            try {
                deflate = DeflateParams.from(e);
            } catch (IllegalArgumentException ex) {
                problems.add("The server's permessage-deflate response is invalid: " + ex.getMessage());
                continue;
            }
            List<DeflateParams> offers = new ArrayList<>();
            for (Extension o : offer) {
                if (DeflateParams.NAME.equalsIgnoreCase(o.name())) {
                    try {
                        offers.add(DeflateParams.from(o));
                    } catch (IllegalArgumentException ignored) {
                        // an offer the client got wrong cannot be what the server accepted
                    }
                }
            }
            problems.addAll(deflate.problemsAsResponseTo(offers));
        }
        return deflate;
    }

    /** One sentence explaining a non-101 answer to an upgrade request. */
    static String statusSentence(HttpHead resp) {
        int s = resp.status();
        String line = s < 0 ? "\"" + resp.startLine() + "\"" : s + " " + resp.reason();
        String location = resp.header("Location");
        if (s < 0) {
            return "The server answered " + line + ", which is not an HTTP status line.";
        }
        return switch (s) {
            case 200 -> "The server answered " + line.trim() + " instead of 101: the request was handled as plain HTTP"
                    + " — a proxy or router may have stripped the Upgrade header.";
            case 301, 302, 303, 307, 308 -> "The server answered " + line.trim() + " instead of 101: it redirects to "
                    + (location == null ? "a location it did not name" : location) + ", and WebSocket clients do not follow redirects.";
            case 400 -> "The server answered 400 instead of 101: it rejected the upgrade request as malformed"
                    + " (check the Sec-WebSocket-* headers).";
            case 401 -> "The server answered 401 instead of 101: the upgrade needs authentication.";
            case 403 -> "The server answered 403 instead of 101: it refused this client (often an Origin or"
                    + " authorization check).";
            case 404 -> "The server answered 404 instead of 101: no WebSocket endpoint at this path.";
            case 426 -> "The server answered 426 instead of 101: it wants a different protocol version ("
                    + resp.header("Sec-WebSocket-Version") + ").";
            case 429 -> "The server answered 429 instead of 101: too many requests, it is rate limiting.";
            case 502, 503, 504 -> "The server answered " + line.trim() + " instead of 101: a gateway or the server"
                    + " is failing or overloaded.";
            default -> "The server answered " + line.trim() + " instead of 101 Switching Protocols.";
        };
    }
}
