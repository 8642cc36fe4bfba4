package dev.wsdebug.sniff.http2;

import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.sniff.http.CapturedConversation;
import dev.wsdebug.sniff.http.ConnectionContext;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.H2Handshake;
import dev.wsdebug.wire.HttpHead;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plaintext of one captured TCP connection that speaks HTTP/2 (h2c with prior knowledge, or
 * TLS with ALPN h2), demultiplexed into streams: each extended CONNECT to {@code websocket} (RFC
 * 8441) becomes a WebSocket conversation {@code <conn>.<stream>} fed the stream's DATA each way;
 * every other stream, pushed ones included, becomes an {@code http} event once both sides ended
 * it, it was reset, or the connection ended. The server's SETTINGS_ENABLE_CONNECT_PROTOCOL is
 * tracked for the handshake check. A connection whose start the capture missed (no preface) is
 * decoded as far as its HPACK state allows, which is said once.
 *
 * <p>Hostile input never throws: a frame layer that cannot be followed (bad padding, a missing
 * CONTINUATION, a hole in the bytes) stops decoding of the connection with one sentence; streams
 * tracked at once, kept frames and field blocks are bounded.
 */
public final class Http2Connection {
    /** Streams tracked at once; later ones are not decoded (said once). */
    static final int MAX_STREAMS = 1000;

    private final ConnectionContext cx;
    private final boolean midStream;
    private final Preface preface = new Preface();
    private final Peer fromClient = new Peer(Direction.C2S);
    private final Peer fromServer = new Peer(Direction.S2C);
    private final Map<Integer, H2Stream> streams = new HashMap<>();
    /** The server's SETTINGS_ENABLE_CONNECT_PROTOCOL: null until its SETTINGS is seen; once on, it stays on (RFC 8441 3). */
    private Boolean connectProtocol;
    private boolean broken;
    private boolean ended;
    private boolean startSaid;
    private boolean tooManySaid;
    private long packet;
    private long timeNanos;

    /**
     * @param cx        the TCP connection: http events carry its id, WebSockets {@code <id>.<stream>}
     * @param midStream whether the capture missed the connection's start (no preface to expect)
     */
    public Http2Connection(ConnectionContext cx, boolean midStream) {
        this.cx = cx;
        this.midStream = midStream;
    }

    /**
     * Whether a server's first bytes are a SETTINGS frame (RFC 9113 3.4: the server's preface), which
     * a server may send before the client's preface arrives.
     */
    public static boolean looksLikeServerPreface(byte[] b, int off, int len) {
        if (len < FrameReader.HEADER_LENGTH) {
            return false;
        }
        int length = (b[off] & 0xFF) << 16 | (b[off + 1] & 0xFF) << 8 | b[off + 2] & 0xFF;
        return b[off + 3] == FrameType.SETTINGS && (b[off + 4] & ~FrameType.FLAG_ACK) == 0 && length % 6 == 0
                && length <= 6 * 16 && Bytes.streamId(b, off + 5) == 0;
    }

    public void feed(boolean fromClient, long packet, long timeNanos, byte[] b, int off, int len) {
        if (broken || ended || len <= 0) {
            return;
        }
        this.packet = packet;
        this.timeNanos = timeNanos;
        if (midStream && !startSaid) {
            startSaid = true;
            error("input", "The capture starts in the middle of this HTTP/2 connection, so its header compression"
                    + " (HPACK) state is unknown: only header blocks that refer to nothing before the capture are"
                    + " decoded, and the DATA only of streams whose HEADERS were seen.");
        }
        if (fromClient && !midStream && !preface.complete()) {
            int n = preface.match(b, off, len);
            if (n < 0) {
                breakOff("the client's first bytes are not the HTTP/2 connection preface");
                return;
            }
            off += n;
            len -= n;
        }
        (fromClient ? this.fromClient : fromServer).reader.feed(b, off, len);
    }

    /**
     * The connection began as HTTP/1.1 and was upgraded with {@code Upgrade: h2c} (RFC 7540 3.2): the
     * request is stream 1, half closed by the client (when its body was complete), answered in HTTP/2.
     */
    public void upgradedFrom(HttpHead request, long startNanos, boolean requestComplete) {
        List<HttpHead.Header> fields = new ArrayList<>();
        fields.add(new HttpHead.Header(":method", request.method()));
        fields.add(new HttpHead.Header(":scheme", cx.tls() ? "https" : "http"));
        String host = request.header("Host");
        if (host != null) {
            fields.add(new HttpHead.Header(":authority", host));
        }
        fields.add(new HttpHead.Header(":path", request.target() == null ? "/" : request.target()));
        fields.addAll(request.headers());
        this.timeNanos = startNanos;
        H2Stream s = open(1, fields, false);
        if (s != null) {
            s.clientEnded = requestComplete;
        }
    }

    /** Bytes of one side were not captured: frame boundaries are lost, so decoding stops there. */
    public void gap(boolean fromClient, long timeNanos, long missing) {
        this.timeNanos = timeNanos;
        breakOff((fromClient ? "the client's" : "the server's") + " stream has " + missing
                + " bytes that were not captured");
    }

    /** A transport fact ({@code capture.FlowEvent}): it concerns every WebSocket the connection carries. */
    public void flow(Direction dir, long timeNanos, String kind, long bytes, long micros) {
        for (H2Stream s : streams.values()) {
            if (s.webSocket != null) {
                s.webSocket.flow(dir, timeNanos, kind, bytes, micros);
            }
        }
    }

    /** The TCP connection ended: what is still open ends with it (WebSockets), or is reported as far as seen. */
    public void end(long timeNanos) {
        if (ended) {
            return;
        }
        ended = true;
        List<H2Stream> open = new ArrayList<>(streams.values());
        open.sort(Comparator.comparingInt(s -> s.id));
        streams.clear();
        for (H2Stream s : open) {
            finish(s, timeNanos);
        }
    }

    private void breakOff(String why) {
        if (broken) {
            return;
        }
        broken = true;
        fromClient.reader.stop();
        fromServer.reader.stop();
        error("input", "The HTTP/2 frames cannot be followed past this point (" + why + "); the rest of the"
                + " connection is not decoded.");
    }

    private H2Stream open(int id, List<HttpHead.Header> request, boolean pushed) {
        if (streams.containsKey(id)) {
            return streams.get(id);
        }
        if (streams.size() >= MAX_STREAMS && !evictReset()) {
            if (!tooManySaid) {
                tooManySaid = true;
                error("input", "More than " + MAX_STREAMS + " HTTP/2 streams are open at once; stream " + id
                        + " and later new ones are not decoded while that lasts.");
            }
            return null;
        }
        CapturedConversation ws = null;
        if (!pushed && H2Stream.isWebSocket(request)) {
            ws = cx.webSocket(cx.conn() + "." + id);
            ws.h2Request(timeNanos, id, request, connectProtocol);
        }
        H2Stream s = new H2Stream(id, timeNanos, request, ws);
        s.clientEnded = pushed; // a promised request has no body (RFC 9113 8.4)
        streams.put(id, s);
        return s;
    }

    private void ended(int id, Direction dir) {
        H2Stream s = streams.get(id);
        if (s == null) {
            return;
        }
        if (dir == Direction.C2S) {
            s.clientEnded = true;
        } else {
            s.serverEnded = true;
        }
        if (s.done()) {
            streams.remove(id);
            finish(s, timeNanos);
        }
    }

    private void reset(int id, Direction from, long code) {
        H2Stream s = streams.get(id);
        if (s == null) {
            return;
        }
        if (s.webSocket != null) {
            streams.remove(id);
            s.webSocket.h2Reset(timeNanos, from, code);
        } else if (from == Direction.C2S && !s.serverEnded) {
            // the response may already be on its way (RFC 9113 5.4.2): it is shown when it comes
            s.clientReset = true;
        } else {
            streams.remove(id);
            report(s, timeNanos);
        }
    }

    /** Makes room for a new stream by reporting the oldest one its client reset (its answer may never come). */
    private boolean evictReset() {
        H2Stream oldest = null;
        for (H2Stream s : streams.values()) {
            if (s.clientReset && (oldest == null || s.id < oldest.id)) {
                oldest = s;
            }
        }
        if (oldest != null) {
            streams.remove(oldest.id);
            report(oldest, timeNanos);
        }
        return oldest != null;
    }

    private void finish(H2Stream s, long endNanos) {
        if (s.webSocket != null) {
            s.webSocket.end(endNanos);
        } else {
            report(s, endNanos);
        }
    }

    private void report(H2Stream s, long endNanos) {
        HttpHead request = HttpHead.ofHttp2(s.request);
        HttpHead response = s.response == null ? null : HttpHead.ofHttp2(s.response);
        cx.sink().accept(new HttpEvent(cx.conn(), Math.floorDiv(s.startNanos, 1000), request.method(), s.url(cx.tls(), cx.server()),
                response == null ? -1 : response.status(), "", request, response, s.clientEnded ? s.requestBody : -1,
                s.responseBody, Math.max(0, Math.floorDiv(endNanos - s.startNanos, 1000))));
    }

    private void goAway(Direction from, int lastStream, long code) {
        if (code != 0) {
            error("h2", (from == Direction.C2S ? "The client" : "The server") + " closed the HTTP/2 connection with"
                    + " GOAWAY " + H2Handshake.errorName(code) + " (last stream " + lastStream + ").");
        }
    }

    private void error(String kind, String message) {
        cx.error(timeNanos, kind, message);
    }

    /** One direction: its frames, its field blocks and its HPACK state. */
    private final class Peer implements FrameReader.Listener {
        final Direction dir;
        final FrameReader reader = new FrameReader(this);
        final HeaderBlocks blocks = new HeaderBlocks(this::block);
        final Hpack hpack = new Hpack();
        private boolean lostSaid;

        Peer(Direction dir) {
            this.dir = dir;
        }

        private String who() {
            return dir == Direction.C2S ? "client" : "server";
        }

        @Override
        public void frame(Http2Frame f) {
            int t = f.type();
            if (midStream && t == FrameType.CONTINUATION && !blocks.open()) {
                // the rest of a field block begun before the capture: what it added to the table is unknown
                hpack.forget("a field block began before the capture");
                return;
            }
            if (blocks.open() || t == FrameType.HEADERS || t == FrameType.PUSH_PROMISE || t == FrameType.CONTINUATION) {
                String bad = blocks.accept(f);
                if (bad != null) {
                    breakOff("the " + who() + " sent " + bad);
                }
                return;
            }
            byte[] p = f.payload();
            switch (t) {
                case FrameType.SETTINGS -> settings(f, p);
                case FrameType.RST_STREAM -> {
                    if (p != null && p.length == 4) {
                        reset(f.stream(), dir, Integer.toUnsignedLong(Bytes.int32(p, 0)));
                    }
                }
                case FrameType.GOAWAY -> {
                    if (p != null && p.length >= 8) {
                        goAway(dir, Bytes.streamId(p, 0), Integer.toUnsignedLong(Bytes.int32(p, 4)));
                    }
                }
                default -> {
                    // PING, WINDOW_UPDATE, PRIORITY and unknown types (RFC 9113 5.5) change nothing shown
                }
            }
        }

        private void settings(Http2Frame f, byte[] p) {
            if (f.has(FrameType.FLAG_ACK)) {
                return;
            }
            if (f.stream() != 0 || !Settings.wellFormed(p)) {
                breakOff("the " + who() + "'s SETTINGS frame of " + f.length() + " bytes on stream " + f.stream()
                        + " is malformed");
                return;
            }
            if (dir == Direction.S2C) {
                connectProtocol = Boolean.TRUE.equals(connectProtocol)
                        || Settings.value(p, Settings.ENABLE_CONNECT_PROTOCOL) == 1;
            }
        }

        private void block(HeaderBlock b) {
            List<HttpHead.Header> fields = hpack.decode(b.stream(), b.fragment());
            if (fields == null && hpack.lost() && !lostSaid && !midStream) {
                lostSaid = true;
                error("input", "The " + who() + "'s HTTP/2 header compression state is lost (" + hpack.lostWhy()
                        + "): its later header blocks are not decoded.");
            }
            if (b.type() == FrameType.PUSH_PROMISE) {
                if (dir == Direction.S2C && fields != null && b.promised() != 0) {
                    open(b.promised(), fields, true);
                }
                return;
            }
            H2Stream s = streams.get(b.stream());
            if (dir == Direction.C2S) {
                if (s == null && fields != null) {
                    open(b.stream(), fields, false);
                }
            } else if (s != null && s.response == null && fields != null && !H2Stream.interim(fields)) {
                s.response = fields;
                if (s.webSocket != null) {
                    s.webSocket.h2Response(timeNanos, fields);
                }
            }
            if (b.endStream()) {
                ended(b.stream(), dir);
            }
        }

        @Override
        public void data(int stream, byte[] b, int off, int len) {
            H2Stream s = streams.get(stream);
            if (s == null || len == 0) {
                return;
            }
            if (dir == Direction.C2S) {
                s.requestBody += len;
            } else {
                s.responseBody += len;
            }
            if (s.webSocket != null) {
                s.webSocket.feed(dir, packet, timeNanos, b, off, len);
            }
        }

        @Override
        public void dataEnd(int stream, int flags) {
            if ((flags & FrameType.FLAG_END_STREAM) != 0) {
                ended(stream, dir);
            }
        }

        @Override
        public void broken(String sentence) {
            breakOff("the " + who() + "'s " + sentence);
        }
    }
}
