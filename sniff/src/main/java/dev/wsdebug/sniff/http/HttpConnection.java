package dev.wsdebug.sniff.http;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.sniff.http2.Http2Connection;
import dev.wsdebug.wire.DecodeLimits;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.HttpHead;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * The plaintext of one captured TCP connection that speaks HTTP/1.1: its exchanges become
 * {@code http} events, and an upgrade to WebSocket hands the rest of the connection, from the
 * upgrade request's first byte, to a {@link CapturedConversation} (the one pipeline). Keep-alive
 * connections with plain requests before the upgrade are read request by request; an upgrade that
 * is refused (403, 426...) is shown as a failed handshake and the connection goes on as HTTP.
 */
public final class HttpConnection {
    /** Client bytes held after an upgrade request while its answer is awaited. */
    private static final int MAX_HELD = 1 << 20;

    private final ConnectionContext cx;
    private final HttpMessageReader requests;
    private final HttpMessageReader responses;
    private final ArrayDeque<Request> pending = new ArrayDeque<>();
    /** The WebSocket of an upgrade request, from the request on (until a refusal, or to the end once upgraded). */
    private CapturedConversation ws;
    private Request upgradeRequest;
    private boolean upgraded;
    private ByteArrayOutputStream held;
    private long heldPacket;
    private int conversations;
    private boolean broken;
    /** After an accepted {@code Upgrade: h2c} (RFC 7540 3.2): the rest of the connection is HTTP/2. */
    private Http2Connection h2;

    /** A request waiting for its response. */
    private static final class Request {
        final HttpHead head;
        final long startNanos;
        long bodyLength;
        boolean complete;
        HttpHead response;

        Request(HttpHead head, long startNanos) {
            this.head = head;
            this.startNanos = startNanos;
        }

        boolean isHead() {
            return "HEAD".equalsIgnoreCase(head.method());
        }

        boolean isConnect() {
            return "CONNECT".equalsIgnoreCase(head.method());
        }

        boolean isUpgrade() {
            return head.tokens("Upgrade").contains("websocket");
        }
    }

    /**
     * @param conn   the connection id events carry (a later WebSocket on the same connection gets
     *               {@code conn.2}, ...)
     * @param tls    whether the bytes were decrypted from TLS (https, wss)
     * @param client the client's address as host:port
     */
    public HttpConnection(String conn, boolean tls, String client, String server, EventSink sink, DecodeLimits limits) {
        this.cx = new ConnectionContext(conn, tls, client, server, sink, limits);
        this.requests = new HttpMessageReader(new RequestListener(), HttpConnection::requestFraming);
        this.responses = new HttpMessageReader(new ResponseListener(), this::responseFraming);
    }

    /** The first bytes of an HTTP/2 connection preface (RFC 9113 3.4), which has the shape of a request. */
    private static final byte[] H2_PREFACE = "PRI * HTTP/2.0".getBytes(StandardCharsets.ISO_8859_1);

    /** Whether the bytes start like the HTTP/2 connection preface (h2, or h2c with prior knowledge). */
    public static boolean looksLikeHttp2(byte[] b, int off, int len) {
        int n = Math.min(len, H2_PREFACE.length);
        return n >= 4 && java.util.Arrays.equals(b, off, off + n, H2_PREFACE, 0, n);
    }

    /** Whether the bytes look like the start of an HTTP/1.1 request (a method token, a space). */
    public static boolean looksLikeRequest(byte[] b, int off, int len) {
        if (looksLikeHttp2(b, off, len)) {
            return false;
        }
        int n = Math.min(len, 16);
        int i = 0;
        while (i < n && b[off + i] >= 'A' && b[off + i] <= 'Z') {
            i++;
        }
        return i >= 3 && i < n && b[off + i] == ' ';
    }

    /** Whether the bytes look like the start of an HTTP/1.x response. */
    public static boolean looksLikeResponse(byte[] b, int off, int len) {
        return len >= 7 && new String(b, off, 7, StandardCharsets.ISO_8859_1).equals("HTTP/1.");
    }

    public void feed(boolean fromClient, long packet, long timeNanos, byte[] b, int off, int len) {
        if (len <= 0 || broken) {
            return;
        }
        if (h2 != null) {
            h2.feed(fromClient, packet, timeNanos, b, off, len);
        } else if (upgraded) {
            ws.feed(fromClient ? Direction.C2S : Direction.S2C, packet, timeNanos, b, off, len);
        } else if (fromClient) {
            clientBytes(packet, timeNanos, b, off, len);
        } else {
            serverBytes(packet, timeNanos, b, off, len);
        }
    }

    private void clientBytes(long packet, long timeNanos, byte[] b, int off, int len) {
        if (upgradeRequest != null) {
            hold(packet, b, off, len);
            return;
        }
        currentPacket = packet;
        int used = requests.feed(b, off, len, timeNanos);
        if (used < len && h2 != null) {
            h2.feed(true, packet, timeNanos, b, off + used, len - used);
        } else if (used < len) {
            hold(packet, b, off + used, len - used); // after an upgrade request: the answer decides
        }
    }

    private void serverBytes(long packet, long timeNanos, byte[] b, int off, int len) {
        currentPacket = packet;
        int used = responses.feed(b, off, len, timeNanos);
        if (used < len && upgraded) {
            ws.feed(Direction.S2C, packet, timeNanos, b, off + used, len - used);
        } else if (used < len && h2 != null) {
            h2.feed(false, packet, timeNanos, b, off + used, len - used);
        }
    }

    private long currentPacket;

    private void hold(long packet, byte[] b, int off, int len) {
        if (held == null) {
            held = new ByteArrayOutputStream();
            heldPacket = packet;
        }
        int keep = Math.min(len, MAX_HELD - held.size());
        held.write(b, off, Math.max(0, keep));
    }

    /**
     * Bytes of one side were not captured. HTTP cannot be followed past a hole (its message
     * boundaries are lost); a WebSocket reports it and goes on where it can.
     */
    public void gap(boolean fromClient, long timeNanos, long missing) {
        if (h2 != null) {
            h2.gap(fromClient, timeNanos, missing);
            return;
        }
        if (upgraded) {
            ws.gap(fromClient ? Direction.C2S : Direction.S2C, timeNanos, missing);
            return;
        }
        if (!broken) {
            broken = true;
            error(timeNanos, "input", (fromClient ? "The client's" : "The server's") + " stream has " + missing
                    + " bytes that were not captured; the HTTP exchanges after them are not decoded.");
            if (ws != null) {
                // a handshake with a hole: said above; its conversation must not claim an answer never came
                ws.abandon(timeNanos);
                ws = null;
                pending.remove(upgradeRequest);
                upgradeRequest = null;
            }
        }
    }

    /**
     * A transport fact about {@code dir}'s bytes ({@code capture.FlowEvent}): for the WebSocket once
     * the connection upgraded; plain HTTP exchanges have no event to carry it.
     */
    public void flow(Direction dir, long timeNanos, String kind, long bytes, long micros) {
        if (upgraded && ws != null) {
            ws.flow(dir, timeNanos, kind, bytes, micros);
        } else if (h2 != null) {
            h2.flow(dir, timeNanos, kind, bytes, micros);
        }
    }

    public void end(long timeNanos) {
        if (h2 != null) {
            h2.end(timeNanos);
        }
        requests.end(timeNanos);
        responses.end(timeNanos);
        if (ws != null) {
            ws.end(timeNanos);
        }
        while (!pending.isEmpty()) {
            Request r = pending.poll();
            if (r != upgradeRequest) {
                exchange(r, null, 0, timeNanos);
            }
        }
    }

    /** The connection upgraded to WebSocket. */
    public boolean upgraded() {
        return upgraded;
    }

    private static HttpMessageReader.Framing requestFraming(HttpHead h) {
        if (HttpMessageReader.chunked(h)) {
            return HttpMessageReader.Framing.CHUNKED;
        }
        return HttpMessageReader.contentLength(h) > 0 ? HttpMessageReader.Framing.LENGTH : HttpMessageReader.Framing.NONE;
    }

    /** RFC 9112 6.3: HEAD, 1xx, 204 and 304 have no body; a CONNECT's 2xx starts a tunnel. */
    private HttpMessageReader.Framing responseFraming(HttpHead h) {
        int status = h.status();
        Request r = pending.peek();
        if (status / 100 == 1 || status == 204 || status == 304 || r != null && r.isHead()) {
            return HttpMessageReader.Framing.NONE;
        }
        if (r != null && r.isConnect() && status / 100 == 2) {
            return HttpMessageReader.Framing.UNTIL_CLOSE; // a tunnel: its bytes are not HTTP
        }
        if (HttpMessageReader.chunked(h)) {
            return HttpMessageReader.Framing.CHUNKED;
        }
        return HttpMessageReader.contentLength(h) >= 0 ? HttpMessageReader.Framing.LENGTH
                : HttpMessageReader.Framing.UNTIL_CLOSE;
    }

    private final class RequestListener implements HttpMessageReader.Listener {
        @Override
        public void head(HttpHead head, long start, long timeNanos) {
            if ("PRI".equals(head.method()) && "*".equals(head.target()) && "HTTP/2.0".equals(head.version())) {
                // the HTTP/2 preface: after an h2c upgrade whose request the capture missed, or inside a
                // CONNECT tunnel (whose exchange ends here: what follows is no body of it)
                requests.stop();
                responses.stop();
                while (!pending.isEmpty()) {
                    Request r = pending.poll();
                    exchange(r, r.response, 0, timeNanos);
                }
                h2 = new Http2Connection(cx, false);
                byte[] raw = head.raw().getBytes(StandardCharsets.ISO_8859_1);
                h2.feed(true, currentPacket, timeNanos, raw, 0, raw.length);
                return;
            }
            Request r = new Request(head, timeNanos);
            pending.add(r);
            if (r.isUpgrade() && upgradeRequest == null) {
                // the request may open a WebSocket: its bytes go to a conversation, which shows the
                // handshake whatever the answer; the answer decides what the bytes after it are
                upgradeRequest = r;
                conversations++;
                ws = cx.webSocket(conversations == 1 ? cx.conn() : cx.conn() + "." + conversations);
                byte[] raw = head.raw().getBytes(StandardCharsets.ISO_8859_1);
                ws.feed(Direction.C2S, currentPacket, timeNanos, raw, 0, raw.length);
                requests.stop();
            }
        }

        @Override
        public void complete(long end, long bodyLength, long timeNanos) {
            Request r = last();
            if (r != null) {
                r.bodyLength = bodyLength;
                r.complete = true;
            }
        }

        @Override
        public void broken(String sentence, long timeNanos) {
            broken = true;
            error(timeNanos, "input", "The client's bytes stopped being HTTP: " + sentence);
        }

        private Request last() {
            return pending.peekLast();
        }
    }

    private final class ResponseListener implements HttpMessageReader.Listener {
        @Override
        public void head(HttpHead head, long start, long timeNanos) {
            Request r = pending.peek();
            if (r == null) {
                return; // a response without a request (the capture began in between): nothing to pair
            }
            int status = head.status();
            if (status / 100 == 1 && status != 101) {
                return; // interim (100 Continue): the final response follows
            }
            r.response = head;
            if (status == 101 && r != upgradeRequest && r.head.tokens("Upgrade").contains("h2c")) {
                // h2c: the request is stream 1 of the HTTP/2 connection that follows (its response comes there)
                pending.remove(r);
                requests.stop();
                responses.stop();
                h2 = new Http2Connection(cx, false);
                h2.upgradedFrom(r.head, r.startNanos, r.complete);
                return;
            }
            if (r == upgradeRequest) {
                byte[] raw = head.raw().getBytes(StandardCharsets.ISO_8859_1);
                ws.feed(Direction.S2C, currentPacket, timeNanos, raw, 0, raw.length);
                if (status == 101) {
                    upgraded = true;
                    pending.poll();
                    responses.stop();
                    byte[] early = takeHeld();
                    if (early.length > 0) {
                        ws.feed(Direction.C2S, heldPacket, timeNanos, early, 0, early.length);
                    }
                }
            }
        }

        @Override
        public void complete(long end, long bodyLength, long timeNanos) {
            Request r = pending.peek();
            if (r == null || r.response == null) {
                return;
            }
            pending.poll();
            if (r == upgradeRequest) {
                // refused: the handshake event showed it; the connection goes on as HTTP
                ws.end(timeNanos);
                ws = null;
                upgradeRequest = null;
                requests.resume();
                byte[] rest = takeHeld();
                if (rest.length > 0) {
                    clientBytes(heldPacket, timeNanos, rest, 0, rest.length);
                }
                return;
            }
            exchange(r, r.response, bodyLength, timeNanos);
        }

        @Override
        public void broken(String sentence, long timeNanos) {
            broken = true;
            error(timeNanos, "input", "The server's bytes stopped being HTTP: " + sentence);
        }
    }

    private byte[] takeHeld() {
        byte[] out = held == null ? new byte[0] : held.toByteArray();
        held = null;
        return out;
    }

    private void exchange(Request r, HttpHead response, long responseBody, long endNanos) {
        HttpHead req = r.head;
        // a request whose body never completed (not captured, or the connection ended): its size is unknown
        long requestBody = r.complete ? r.bodyLength : -1;
        cx.sink().accept(new HttpEvent(cx.conn(), Math.floorDiv(r.startNanos, 1000), req.method(), url(req), response == null ? -1
                : response.status(), response == null ? "" : response.reason(), req, response, requestBody, responseBody,
                Math.max(0, Math.floorDiv(endNanos - r.startNanos, 1000))));
    }

    private String url(HttpHead req) {
        String target = req.target() == null ? "/" : req.target();
        if (target.contains("://") || "CONNECT".equalsIgnoreCase(req.method())) {
            return target;
        }
        String host = req.header("Host");
        return (cx.tls() ? "https" : "http") + "://" + (host == null ? cx.server() : host.toLowerCase(Locale.ROOT)) + target;
    }

    private void error(long timeNanos, String kind, String message) {
        cx.error(timeNanos, kind, message);
    }
}
