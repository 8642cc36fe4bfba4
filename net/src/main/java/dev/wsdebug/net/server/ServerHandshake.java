package dev.wsdebug.net.server;

import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.H2Handshake;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.HttpHead;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's answer to an opening handshake: accepted with the negotiated subprotocol and
 * permessage-deflate parameters, or an HTTP error (400 for an invalid request, 426 naming version 13
 * for another WebSocket version, or the status a {@code --reject} asks for). It is written the way
 * the request came: a 101 over HTTP/1.1 ({@link #http1}), a 200 header block over HTTP/2 (RFC 8441,
 * where there is no key and no accept, see {@link Http2Upgrade}).
 *
 * @param headers the response's fields, except those the transport adds itself (HTTP/1.1's
 *                Content-Type, Content-Length and Connection of an error)
 * @param body    the body of an error, else empty
 * @param deflate the parameters in force when accepted with compression, else null
 */
record ServerHandshake(boolean accepted, int status, List<HttpHead.Header> headers, byte[] body, String subprotocol,
                       DeflateParams deflate) {

    /** The answer to an HTTP/1.1 upgrade request (RFC 6455 4.2.2). */
    static ServerHandshake answer(HttpHead request, ServerOptions opts) {
        List<String> problems = Handshake.checkRequest(request);
        if (!problems.isEmpty()) {
            return refuseInvalid(request, problems);
        }
        if (opts.reject != 0) {
            return rejected(opts);
        }
        String key = request.header("Sec-WebSocket-Key").trim();
        List<HttpHead.Header> h = new ArrayList<>();
        h.add(new HttpHead.Header("Upgrade", "websocket"));
        h.add(new HttpHead.Header("Connection", "Upgrade"));
        h.add(new HttpHead.Header("Sec-WebSocket-Accept", Handshake.acceptFor(opts.badAccept ? key + "wrong" : key)));
        return accept(request, opts, 101, h);
    }

    /**
     * The answer to an extended CONNECT (RFC 8441 5): 200 without a key or accept; a request the
     * server may not take (no :protocol, or extended CONNECT not enabled in its SETTINGS) gets 400.
     */
    static ServerHandshake answerH2(HttpHead request, ServerOptions opts, boolean connectProtocolEnabled) {
        List<String> problems = H2Handshake.checkRequest(request, connectProtocolEnabled);
        if (!problems.isEmpty()) {
            return refuseInvalid(request, problems);
        }
        if (opts.reject != 0) {
            return rejected(opts);
        }
        return accept(request, opts, 200, new ArrayList<>());
    }

    private static ServerHandshake accept(HttpHead request, ServerOptions opts, int status, List<HttpHead.Header> h) {
        String protocol = pickSubprotocol(request, opts.subprotocols);
        if (protocol != null) {
            h.add(new HttpHead.Header("Sec-WebSocket-Protocol", protocol));
        }
        DeflateParams deflate = opts.compress ? pickDeflate(request) : null;
        if (deflate != null) {
            h.add(new HttpHead.Header("Sec-WebSocket-Extensions", deflate.format()));
        }
        return new ServerHandshake(true, status, h, new byte[0], protocol, deflate);
    }

    /** RFC 6455 4.4: a version we do not speak gets an error naming the one we do. */
    private static ServerHandshake refuseInvalid(HttpHead request, List<String> problems) {
        String version = request.header("Sec-WebSocket-Version");
        boolean otherVersion = version != null && !"13".equals(version.trim());
        return refuse(otherVersion ? 426 : 400, String.join("\n", problems) + "\n",
                otherVersion ? new HttpHead.Header("Sec-WebSocket-Version", "13") : null);
    }

    private static ServerHandshake rejected(ServerOptions opts) {
        HttpHead.Header location = opts.reject >= 300 && opts.reject < 400 ? new HttpHead.Header("Location", "/moved") : null;
        return refuse(opts.reject, "wsdebug serve --reject " + opts.reject + "\n", location);
    }

    /** The answer to a request that is not valid HTTP: this status, and why in the body. */
    static ServerHandshake malformed(int status, String why) {
        return refuse(status, why + "\n", null);
    }

    /** An HTTP error response, with one extra header unless null. */
    private static ServerHandshake refuse(int status, String body, HttpHead.Header extra) {
        List<HttpHead.Header> h = new ArrayList<>();
        if (extra != null) {
            h.add(extra);
        }
        h.add(new HttpHead.Header("Content-Type", "text/plain; charset=utf-8"));
        return new ServerHandshake(false, status, h, body.getBytes(StandardCharsets.UTF_8), null, null);
    }

    /** The HTTP/1.1 response: a 101, or an error with its body that closes the connection. */
    byte[] http1() {
        StringBuilder r = new StringBuilder("HTTP/1.1 ").append(status).append(' ')
                .append(accepted ? "Switching Protocols" : HttpResponseStatus.valueOf(status).reasonPhrase()).append("\r\n");
        for (HttpHead.Header h : headers) {
            r.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        if (!accepted) {
            r.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n");
        }
        r.append("\r\n");
        byte[] head = r.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
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
