package dev.wsdebug.net.server;

import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.HttpHead;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The server's answer to an upgrade request: 101 with the negotiated subprotocol and
 * permessage-deflate parameters, or an HTTP error (400 for an invalid request, 426 naming version 13
 * for another WebSocket version, or the status a {@code --reject} asks for).
 *
 * @param deflate the parameters in force when accepted with compression, else null
 */
record ServerHandshake(boolean accepted, byte[] response, String subprotocol, DeflateParams deflate) {

    static ServerHandshake answer(HttpHead request, ServerOptions opts) {
        List<String> problems = Handshake.checkRequest(request);
        if (!problems.isEmpty()) {
            // RFC 6455 4.4: a version we do not speak gets an error naming the one we do
            String version = request.header("Sec-WebSocket-Version");
            boolean otherVersion = version != null && !"13".equals(version.trim());
            return refuse(otherVersion ? 426 : 400, String.join("\n", problems) + "\n",
                    otherVersion ? "Sec-WebSocket-Version: 13" : null);
        }
        if (opts.reject != 0) {
            String location = opts.reject >= 300 && opts.reject < 400 ? "Location: /moved" : null;
            return refuse(opts.reject, "wsdebug serve --reject " + opts.reject + "\n", location);
        }
        String key = request.header("Sec-WebSocket-Key").trim();
        String accept = Handshake.acceptFor(opts.badAccept ? key + "wrong" : key);
        StringBuilder r = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n");
        String protocol = pickSubprotocol(request, opts.subprotocols);
        if (protocol != null) {
            r.append("Sec-WebSocket-Protocol: ").append(protocol).append("\r\n");
        }
        DeflateParams deflate = opts.compress ? pickDeflate(request) : null;
        if (deflate != null) {
            r.append("Sec-WebSocket-Extensions: ").append(deflate.format()).append("\r\n");
        }
        r.append("\r\n");
        return new ServerHandshake(true, r.toString().getBytes(StandardCharsets.ISO_8859_1), protocol, deflate);
    }

    /** The answer to a request that is not valid HTTP: this status, and why in the body. */
    static ServerHandshake malformed(int status, String why) {
        return refuse(status, why + "\n", null);
    }

    /** An HTTP error response, with one extra header line ("Name: value") unless null. */
    private static ServerHandshake refuse(int status, String body, String extraHeader) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + HttpResponseStatus.valueOf(status).reasonPhrase() + "\r\n"
                + (extraHeader != null ? extraHeader + "\r\n" : "")
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + b.length + "\r\nConnection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return new ServerHandshake(false, all, null, null);
    }

    /** The first subprotocol the client offered that the server speaks. */
    private static String pickSubprotocol(HttpHead request, List<String> ours) {
        String offered = request.joined("Sec-WebSocket-Protocol");
        if (offered == null || ours.isEmpty()) {
            return null;
        }
        for (String p : offered.split(",")) {
            String t = p.trim();
            if (ours.contains(t)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Accepts the first well-formed permessage-deflate offer, echoing the parameters that bind the
     * server (server_no_context_takeover, server_max_window_bits) and client_no_context_takeover.
     */
    private static DeflateParams pickDeflate(HttpHead request) {
        String header = request.joined("Sec-WebSocket-Extensions");
        if (header == null) {
            return null;
        }
        for (dev.wsdebug.wire.Extension e : parseQuietly(header)) {
            if (!DeflateParams.NAME.equalsIgnoreCase(e.name())) {
                continue;
            }
            try {
                DeflateParams offer = DeflateParams.from(e);
                return new DeflateParams(offer.clientNoContextTakeover(), offer.serverNoContextTakeover(),
                        DeflateParams.ABSENT, offer.serverMaxWindowBits());
            } catch (IllegalArgumentException ignored) {
                // a malformed offer is declined; the next one may be fine
            }
        }
        return null;
    }

    private static List<dev.wsdebug.wire.Extension> parseQuietly(String header) {
        try {
            return dev.wsdebug.wire.Extension.parseHeader(header);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }
}
