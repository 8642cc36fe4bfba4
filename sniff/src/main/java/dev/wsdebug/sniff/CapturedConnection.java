package dev.wsdebug.sniff;

import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.TlsSummary;
import dev.wsdebug.sniff.http.ConnectionContext;
import dev.wsdebug.sniff.http.FrameHeuristic;
import dev.wsdebug.sniff.http.HttpConnection;
import dev.wsdebug.sniff.http.MidStreamWebSocket;
import dev.wsdebug.sniff.http2.Http2Connection;
import dev.wsdebug.sniff.http2.MidStreamHttp2;
import dev.wsdebug.sniff.tcp.FlowKind;
import dev.wsdebug.sniff.tcp.Side;
import dev.wsdebug.sniff.tcp.TcpFlow;
import dev.wsdebug.sniff.tcp.TcpStreamHandler;
import dev.wsdebug.sniff.tls.TlsConnection;
import dev.wsdebug.sniff.tls.TlsInfo;
import dev.wsdebug.sniff.tls.TlsPlaintextListener;
import dev.wsdebug.wire.Direction;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One captured TCP connection: finds out what it carries from its first bytes and routes its
 * reassembled bytes accordingly — TLS (decrypted with the key log, then looked at again), HTTP/1.1
 * (exchanges, and WebSocket after an upgrade), WebSocket frames of a connection whose handshake
 * was not captured, or anything else (counted, not decoded). Which side is the client comes from
 * the SYN when it was captured, else from the first bytes: the ClientHello's sender, the HTTP
 * request's sender, the side whose frames are masked.
 */
final class CapturedConnection implements TcpStreamHandler {
    private enum Mode { UNDECIDED, HTTP, HTTP2, TLS, WEBSOCKET, OTHER }

    /** First bytes held while deciding; a connection that has not shown what it is by then is "other". */
    private static final int MAX_UNDECIDED = 64 * 1024;

    private final TcpFlow flow;
    private final DecodeContext ctx;
    private final String conn;
    private Side client;
    private Mode mode = Mode.UNDECIDED;
    private final List<Held> held = new ArrayList<>();
    private int heldBytes;
    private HttpConnection http;
    private Http2Connection http2;
    /** HTTP/2 frames of a connection whose start (the preface) the capture missed. */
    private boolean h2MidStream;
    private MidStreamWebSocket ws;
    private TlsConnection tls;
    private TlsInfo tlsInfo;
    private boolean tlsCounted;
    /** Inside TLS: what the plaintext is (UNDECIDED until its first bytes, then HTTP or OTHER). */
    private Mode inner = Mode.UNDECIDED;
    private HttpConnection innerHttp;
    private Http2Connection innerHttp2;
    private StreamFiles.Pair files;
    private boolean conflictReported;

    /** Bytes that came while the connection was undecided, replayed in order once it is. */
    private record Held(Side from, long packet, long timeNanos, byte[] bytes) {
    }

    CapturedConnection(TcpFlow flow, DecodeContext ctx) {
        this.flow = flow;
        this.ctx = ctx;
        this.conn = Long.toString(flow.id());
        this.client = flow.client();
        ctx.summary.tcpConnections++;
    }

    @Override
    public void data(Side from, long packet, long timeNanos, byte[] b, int off, int len) {
        if (len <= 0) {
            return;
        }
        if (mode == Mode.UNDECIDED) {
            held.add(new Held(from, packet, timeNanos, java.util.Arrays.copyOfRange(b, off, off + len)));
            heldBytes += len;
            decide(heldBytes >= MAX_UNDECIDED);
            return;
        }
        route(from, packet, timeNanos, b, off, len);
    }

    private void route(Side from, long packet, long timeNanos, byte[] b, int off, int len) {
        boolean fromClient = from == client;
        if (mode != Mode.TLS) {
            writeStream(from, b, off, len);
        }
        switch (mode) {
            case HTTP -> http.feed(fromClient, packet, timeNanos, b, off, len);
            case HTTP2 -> http2.feed(fromClient, packet, timeNanos, b, off, len);
            case TLS -> tls.feed(fromClient, packet, timeNanos, b, off, len);
            case WEBSOCKET -> ws.feed(fromClient ? Direction.C2S : Direction.S2C, packet, timeNanos, b, off, len);
            default -> ctx.summary.otherTcpBytes += len;
        }
    }

    @Override
    public void gap(Side from, long timeNanos, long missing) {
        if (mode == Mode.UNDECIDED) {
            decide(true);
        }
        boolean fromClient = from == client;
        switch (mode) {
            case HTTP -> http.gap(fromClient, timeNanos, missing);
            case HTTP2 -> http2.gap(fromClient, timeNanos, missing);
            case TLS -> tls.gap(fromClient);
            case WEBSOCKET -> ws.gap(fromClient ? Direction.C2S : Direction.S2C, timeNanos, missing);
            default -> {
            }
        }
    }

    /**
     * A TCP flow fact: to the WebSocket's conversation (after the upgrade; inside TLS too, where the
     * segments are those of the encrypted stream that carries it). Other connections have no
     * conversation to tell, and facts from before the connection is recognised are dropped.
     */
    @Override
    public void flow(Side from, long timeNanos, FlowKind kind, long bytes, long micros) {
        if (client == null) {
            return;
        }
        Direction dir = from == client ? Direction.C2S : Direction.S2C;
        String name = switch (kind) {
            case ZERO_WINDOW -> FlowEvent.ZERO_WINDOW;
            case WINDOW_OPEN -> FlowEvent.WINDOW_OPEN;
            case ACK_WAIT -> FlowEvent.ACK_WAIT;
        };
        switch (mode) {
            case HTTP -> http.flow(dir, timeNanos, name, bytes, micros);
            case HTTP2 -> http2.flow(dir, timeNanos, name, bytes, micros);
            case WEBSOCKET -> ws.flow(dir, timeNanos, name, bytes, micros);
            case TLS -> {
                if (innerHttp != null) {
                    innerHttp.flow(dir, timeNanos, name, bytes, micros);
                }
                if (innerHttp2 != null) {
                    innerHttp2.flow(dir, timeNanos, name, bytes, micros);
                }
            }
            default -> {
            }
        }
    }

    /** A retransmission that differs from the first copy: said once per connection (the first copy is used). */
    @Override
    public void conflict(Side from, long timeNanos, long streamOffset, int length) {
        if (!conflictReported) {
            conflictReported = true;
            String who = client == null ? "one side's" : from == client ? "the client's" : "the server's";
            ctx.error(conn, timeNanos, "input", "The capture holds two different copies of " + length + " bytes at byte "
                    + streamOffset + " of " + who + " stream (a retransmission that differs from the first); the first"
                    + " copy is the one decoded.");
        }
    }

    @Override
    public void closed(long timeNanos, boolean reset, boolean atEnd) {
        if (mode == Mode.UNDECIDED) {
            decide(true);
        }
        switch (mode) {
            case HTTP -> http.end(timeNanos);
            case HTTP2 -> http2.end(timeNanos);
            case TLS -> {
                tls.end(timeNanos);
                if (innerHttp != null) {
                    innerHttp.end(timeNanos);
                }
                if (innerHttp2 != null) {
                    innerHttp2.end(timeNanos);
                }
            }
            case WEBSOCKET -> ws.end(timeNanos);
            default -> {
            }
        }
        if (files != null) {
            files.close();
        }
    }

    /** Looks at the first bytes of both sides; once it knows (or must stop waiting), replays them. */
    private void decide(boolean last) {
        byte[][] first = firstBytes();
        for (Side side : Side.values()) {
            byte[] f = first[side.ordinal()];
            if (f.length == 0) {
                continue;
            }
            if (TlsConnection.looksLikeTls(f, 0, f.length)) {
                setClient(side);
                mode = Mode.TLS;
            } else if (HttpConnection.looksLikeHttp2(f, 0, f.length)) {
                setClient(side); // the connection preface of h2c with prior knowledge
                mode = Mode.HTTP2;
            } else if (HttpConnection.looksLikeRequest(f, 0, f.length)) {
                setClient(side);
                mode = Mode.HTTP;
            } else if (HttpConnection.looksLikeResponse(f, 0, f.length)) {
                setClient(side.other());
                mode = Mode.HTTP;
            }
            if (mode != Mode.UNDECIDED) {
                break;
            }
        }
        if (mode == Mode.UNDECIDED) {
            decideWebSocketOrOther(first, last);
        }
        if (mode == Mode.UNDECIDED) {
            return;
        }
        start();
        List<Held> replay = new ArrayList<>(held);
        held.clear();
        heldBytes = 0;
        for (Held h : replay) {
            route(h.from(), h.packet(), h.timeNanos(), h.bytes(), 0, h.bytes().length);
        }
    }

    private void decideWebSocketOrOther(byte[][] first, boolean last) {
        Integer forced = forcedPort();
        if (forced != null) {
            mode = Mode.WEBSOCKET;
            return;
        }
        if (!flow.midStream()) {
            if (!last && serverSentHttp2Settings(first)) {
                return; // an HTTP/2 server may send its SETTINGS before the client's preface comes
            }
            // the handshake of a WebSocket would have shown as HTTP: this is something else
            if (last || first[0].length + first[1].length >= 16) {
                mode = Mode.OTHER;
            }
            return;
        }
        boolean undecided = false;
        boolean maybeHttp2 = false;
        for (Side side : Side.values()) {
            byte[] f = first[side.ordinal()];
            if (f.length == 0) {
                continue;
            }
            MidStreamHttp2.Verdict h2 = MidStreamHttp2.judge(f, 0, f.length, last);
            if (h2 == MidStreamHttp2.Verdict.HTTP2) {
                setClient(http2Client(first, side));
                mode = Mode.HTTP2;
                h2MidStream = true;
                return;
            }
            maybeHttp2 |= h2 == MidStreamHttp2.Verdict.UNDECIDED;
        }
        if (maybeHttp2 && !last) {
            return; // a plausible HTTP/2 frame so far: its end (and the next header) decides
        }
        for (Side side : Side.values()) {
            byte[] f = first[side.ordinal()];
            if (f.length == 0) {
                undecided |= !last;
                continue;
            }
            switch (FrameHeuristic.judge(f, 0, f.length, last)) {
                case CLIENT_FRAMES -> {
                    setClient(side);
                    mode = Mode.WEBSOCKET;
                    return;
                }
                case SERVER_FRAMES -> {
                    setClient(side.other());
                    mode = Mode.WEBSOCKET;
                    return;
                }
                case UNDECIDED -> undecided = true;
                default -> {
                }
            }
        }
        if (!undecided || last) {
            mode = Mode.OTHER;
        }
    }

    /**
     * The client of an HTTP/2 connection seen from its middle: the side whose frames show it (see
     * MidStreamHttp2.sender), else the one on the higher port (an ephemeral port, usually).
     */
    private Side http2Client(byte[][] first, Side framesFrom) {
        for (Side side : new Side[] {framesFrom, framesFrom.other()}) {
            byte[] f = first[side.ordinal()];
            switch (MidStreamHttp2.sender(f, 0, f.length)) {
                case CLIENT -> {
                    return side;
                }
                case SERVER -> {
                    return side.other();
                }
                default -> {
                }
            }
        }
        return flow.endpoint(Side.A).port() >= flow.endpoint(Side.B).port() ? Side.A : Side.B;
    }

    /** Whether only the server (known from the SYN) has spoken yet, and with an HTTP/2 SETTINGS frame. */
    private boolean serverSentHttp2Settings(byte[][] first) {
        if (flow.client() == null || first[flow.client().ordinal()].length > 0) {
            return false;
        }
        byte[] s = first[flow.client().other().ordinal()];
        return Http2Connection.looksLikeServerPreface(s, 0, s.length);
    }

    /** --assume-ws: a port of the list on one end makes that end the server. */
    private Integer forcedPort() {
        if (ctx.options.assumeWebSocketPorts.contains(flow.b().port())) {
            setClient(Side.A);
            return flow.b().port();
        }
        if (ctx.options.assumeWebSocketPorts.contains(flow.a().port())) {
            setClient(Side.B);
            return flow.a().port();
        }
        return null;
    }

    private void setClient(Side side) {
        if (client == null) {
            client = side;
        }
    }

    private byte[][] firstBytes() {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Held h : held) {
            (h.from() == Side.A ? a : b).writeBytes(h.bytes());
        }
        return new byte[][] {a.toByteArray(), b.toByteArray()};
    }

    private String endpoint(Side side) {
        return ctx.show(flow.endpoint(side));
    }

    private void start() {
        Side c = client == null ? Side.A : client;
        String clientEp = endpoint(c);
        String serverEp = endpoint(c.other());
        if (ctx.streams != null) {
            files = ctx.streams.pair(flow, flow.endpoint(c).toString(), flow.endpoint(c.other()).toString(), client != null);
        }
        switch (mode) {
            case HTTP -> http = new HttpConnection(conn, false, clientEp, serverEp, countingSink(null), ctx.options.limits);
            case HTTP2 -> http2 = new Http2Connection(new ConnectionContext(conn, false, clientEp, serverEp,
                    countingSink(null), ctx.options.limits), h2MidStream);
            case WEBSOCKET -> {
                ctx.summary.webSockets++;
                ws = new MidStreamWebSocket(conn, ctx.sink, clientEp, serverEp, ctx.options.limits, forcedPort() != null);
            }
            case TLS -> {
                ctx.summary.tlsConnections++;
                tls = new TlsConnection(ctx.options.keys, new TlsListener());
            }
            default -> ctx.summary.otherTcpConnections++;
        }
        if (client == null) {
            client = c;
        }
    }

    private void writeStream(Side from, byte[] b, int off, int len) {
        if (files != null) {
            files.write(from == (client == null ? Side.A : client), b, off, len);
        }
    }

    /** Counts WebSockets and exchanges on their way, and tags handshakes with the TLS they came through. */
    private EventSink countingSink(TlsSummary summary) {
        return new EventSink() {
            @Override
            public void accept(Event event) {
                if (event instanceof HandshakeEvent h) {
                    ctx.summary.webSockets++;
                    if (summary != null) {
                        event = h.withTls(summary);
                    }
                } else if (event instanceof dev.wsdebug.capture.HttpEvent x) {
                    ctx.summary.httpExchanges++;
                    if (summary != null) {
                        event = x.withTls(summary);
                    }
                }
                ctx.sink.accept(event);
            }

            @Override
            public void chunk(String c, Direction dir, long t, byte[] b, int off, int len) {
                ctx.sink.chunk(c, dir, t, b, off, len);
            }

            @Override
            public void ended(String c, long t) {
                ctx.sink.ended(c, t);
            }

            @Override
            public void gap(String c, Direction dir, long t, long missing) {
                ctx.sink.gap(c, dir, t, missing);
            }

            @Override
            public void assumedWebSocket(String c, dev.wsdebug.wire.DeflateParams deflate) {
                ctx.sink.assumedWebSocket(c, deflate);
            }
        };
    }

    /** The plaintext of a TLS connection: looked at like a connection's first bytes, then routed. */
    private final class TlsListener implements TlsPlaintextListener {
        private final List<Held> innerHeld = new ArrayList<>();

        @Override
        public void info(TlsInfo info) {
            tlsInfo = info;
            if (info.decrypting() && !tlsCounted) {
                tlsCounted = true;
                ctx.summary.tlsDecrypted++;
            }
        }

        @Override
        public void plaintext(boolean fromClient, long packet, long timeNanos, byte[] b, int off, int len) {
            Side from = fromClient ? client : client.other();
            writeStream(from, b, off, len);
            if (inner == Mode.UNDECIDED) {
                innerHeld.add(new Held(from, packet, timeNanos, java.util.Arrays.copyOfRange(b, off, off + len)));
                boolean h2 = "h2".equals(tlsInfo == null ? null : tlsInfo.alpn()) || HttpConnection.looksLikeHttp2(b, off, len);
                if (h2) {
                    inner = Mode.HTTP2;
                    innerHttp2 = new Http2Connection(new ConnectionContext(conn, true, endpoint(client),
                            endpoint(client.other()), countingSink(summary()), ctx.options.limits), false);
                } else if (HttpConnection.looksLikeRequest(b, off, len) || HttpConnection.looksLikeResponse(b, off, len)) {
                    inner = Mode.HTTP;
                    innerHttp = new HttpConnection(conn, true, endpoint(client), endpoint(client.other()),
                            countingSink(summary()), ctx.options.limits);
                } else if (len >= 8) {
                    inner = Mode.OTHER;
                    ctx.error(conn, timeNanos, "tls", describe() + ": the decrypted bytes are not HTTP, so they are"
                            + " not decoded further.");
                } else {
                    return;
                }
                List<Held> replay = new ArrayList<>(innerHeld);
                innerHeld.clear();
                for (Held h : replay) {
                    innerFeed(h.from() == client, h.packet(), h.timeNanos(), h.bytes(), 0, h.bytes().length);
                }
                return;
            }
            innerFeed(fromClient, packet, timeNanos, b, off, len);
        }

        private void innerFeed(boolean fromClient, long packet, long timeNanos, byte[] b, int off, int len) {
            if (inner == Mode.HTTP) {
                innerHttp.feed(fromClient, packet, timeNanos, b, off, len);
            } else if (inner == Mode.HTTP2) {
                innerHttp2.feed(fromClient, packet, timeNanos, b, off, len);
            }
        }

        @Override
        public void problem(long timeNanos, String sentence) {
            ctx.error(conn, timeNanos, "tls", describe() + ": " + sentence);
        }

        private TlsSummary summary() {
            return tlsInfo == null ? null : new TlsSummary(tlsInfo.sni(), tlsInfo.version(), tlsInfo.cipherSuite(), tlsInfo.alpn());
        }

        private String describe() {
            String who = endpoint(client) + " -> " + endpoint(client.other());
            TlsSummary s = summary();
            return "TLS connection " + who + (s == null ? "" : " (" + s + ")");
        }
    }
}
