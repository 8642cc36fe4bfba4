package dev.wsdebug.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The RFC 8441 opening handshake: an HTTP/2 extended CONNECT ({@code :method CONNECT},
 * {@code :protocol websocket}) answered with a 2xx status, on a connection whose server sent
 * {@code SETTINGS_ENABLE_CONNECT_PROTOCOL = 1}. Heads come from {@link HttpHead#ofHttp2}. There is
 * no key and no accept; subprotocols and extensions are negotiated as over HTTP/1.1.
 */
public final class H2Handshake {
    /** The SETTINGS parameter (RFC 8441 3) a server sends to allow extended CONNECT. */
    public static final int SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8;

    private H2Handshake() {
    }

    /**
     * What is wrong with an extended CONNECT request on its own.
     *
     * @param connectProtocolEnabled the server's SETTINGS_ENABLE_CONNECT_PROTOCOL: true, false, or
     *                               null when the SETTINGS were not seen (a capture that starts late)
     */
    public static List<String> checkRequest(HttpHead req, Boolean connectProtocolEnabled) {
        List<String> p = new ArrayList<>();
        if (!"CONNECT".equals(req.header(":method"))) {
            p.add("The request's :method is " + req.header(":method") + "; a WebSocket over HTTP/2 is an extended CONNECT"
                    + " (RFC 8441 4).");
        }
        String protocol = req.header(":protocol");
        if (protocol == null) {
            p.add("The CONNECT has no :protocol pseudo-header, so it asks for a plain TCP tunnel, not a WebSocket"
                    + " (RFC 8441 4).");
        } else if (!"websocket".equals(protocol)) {
            p.add("The CONNECT's :protocol is \"" + protocol + "\", not websocket.");
        }
        if (protocol != null && Boolean.FALSE.equals(connectProtocolEnabled)) {
            p.add("The client sent :protocol, but the server's SETTINGS did not enable extended CONNECT"
                    + " (SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, RFC 8441 3).");
        }
        for (String pseudo : new String[] {":scheme", ":path", ":authority"}) {
            if (req.header(pseudo) == null) {
                p.add("The extended CONNECT has no " + pseudo + " pseudo-header (RFC 8441 4).");
            }
        }
        for (String name : new String[] {"Sec-WebSocket-Key", "Connection", "Upgrade"}) {
            if (req.header(name) != null) {
                p.add(forbidden(name, "request"));
            }
        }
        String version = req.header("Sec-WebSocket-Version");
        if (version == null) {
            p.add("The request has no Sec-WebSocket-Version header.");
        } else if (!"13".equals(version.trim())) {
            p.add("The request asks for WebSocket version " + version + "; only 13 exists.");
        }
        return p;
    }

    /** Checks a response against the extended CONNECT it answers. */
    public static HandshakeResult check(HttpHead req, HttpHead resp, Boolean connectProtocolEnabled) {
        List<String> problems = new ArrayList<>();
        int status = resp.status();
        boolean upgraded = status >= 200 && status < 300;
        DeflateParams deflate = null;
        if (!upgraded && !isExtendedConnect(req)) {
            problems.add("The request is " + req.method() + " " + req.target() + ", not an extended CONNECT (RFC 8441): it"
                    + " asked for no WebSocket; the server answered " + status + ".");
        } else if (!upgraded) {
            problems.add(statusSentence(resp, connectProtocolEnabled));
        } else {
            problems.addAll(checkRequest(req, connectProtocolEnabled));
            for (String name : new String[] {"Sec-WebSocket-Accept", "Connection", "Upgrade"}) {
                if (resp.header(name) != null) {
                    problems.add(forbidden(name, "response"));
                }
            }
            deflate = Handshake.negotiated(req, resp, problems);
        }
        return new HandshakeResult(upgraded && problems.isEmpty(), status, null, resp.header("Sec-WebSocket-Accept"),
                false, resp.header("Sec-WebSocket-Protocol"), resp.joined("Sec-WebSocket-Extensions"), deflate,
                List.copyOf(problems), true);
    }

    private static String forbidden(String name, String where) {
        return name.startsWith("Sec-")
                ? "The " + where + " carries " + name + ", which RFC 8441 5 leaves out over HTTP/2 (there is no key"
                + " and no accept)."
                : "The " + where + " carries a " + name + " header, which HTTP/2 forbids (a connection-specific field,"
                + " RFC 9113 8.2.2).";
    }

    /** Whether a request asks for a WebSocket over HTTP/2: CONNECT with {@code :protocol websocket}. */
    public static boolean isExtendedConnect(HttpHead req) {
        String protocol = req.header(":protocol");
        return "CONNECT".equals(req.method()) && protocol != null && protocol.equalsIgnoreCase("websocket");
    }

    /** One sentence explaining a non-2xx answer to an extended CONNECT. */
    static String statusSentence(HttpHead resp, Boolean connectProtocolEnabled) {
        int s = resp.status();
        if (s < 0) {
            return "The server answered with :status \"" + resp.header(":status") + "\", which is not a status code.";
        }
        String disabled = Boolean.FALSE.equals(connectProtocolEnabled)
                ? " The server did not enable extended CONNECT in its SETTINGS." : "";
        return switch (s) {
            case 101 -> "The server answered 101 on HTTP/2, where it does not exist (RFC 9113 8.6); over HTTP/2 a"
                    + " WebSocket is accepted with 200.";
            case 400, 405, 501 -> "The server answered " + s + " to the extended CONNECT: it does not take WebSockets"
                    + " over HTTP/2 here." + disabled;
            default -> Handshake.statusSentence(resp).replace("instead of 101 Switching Protocols", "instead of 200")
                    .replace("instead of 101", "instead of 200") + disabled;
        };
    }

    /** An HTTP/2 error code's name (RFC 9113 7) with its number, e.g. "CANCEL (0x8)". */
    public static String errorName(long code) {
        String[] names = {"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
                "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR",
                "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"};
        String hex = "0x" + Long.toHexString(code);
        return code >= 0 && code < names.length ? names[(int) code] + " (" + hex + ")" : "error code " + hex;
    }
}
