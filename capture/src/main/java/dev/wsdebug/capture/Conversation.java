package dev.wsdebug.capture;

import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.DecodeLimits;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.FrameListener;
import dev.wsdebug.wire.FrameParser;
import dev.wsdebug.wire.H2Handshake;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.HttpHeadParser;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.MessageAssembler;
import dev.wsdebug.wire.MessageInflater;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.Violation;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * The one pipeline: the two byte streams of a connection in, events out.
 *
 * <p>Every source feeds it {@code (direction, time, bytes)} chunks exactly as they crossed the
 * wire. It parses the HTTP/1.1 upgrade, then frames, messages and inflation per direction, and
 * sends {@link HandshakeEvent}, {@link FrameEvent}, {@link MessageEvent}, {@link CloseEvent} and
 * {@link ErrorEvent} to its sink in the order they complete. Raw frame input without a handshake
 * starts with {@link #assumeWebSocket}.
 *
 * <p>Not thread-safe: a source feeds one conversation from one thread at a time.
 */
public final class Conversation {
    /** Decoded bytes of one message kept for display and storage by default. */
    public static final int DEFAULT_RETAIN = DecodeLimits.DEFAULT_RETAIN;
    /**
     * A frame at least this long that breaks a rule before its end is also reported at once, as an
     * error event of kind {@code violation}: its frame event may be far away (or never come).
     */
    public static final long EARLY_REPORT_LENGTH = 64 * 1024;
    /** Client bytes buffered while waiting for the server's answer to the upgrade. */
    private static final int MAX_EARLY = 1 << 20;

    private enum Phase { HANDSHAKE, WEBSOCKET, NOT_WEBSOCKET }

    private final String conn;
    private final EventSink sink;
    private DecodeLimits c2sLimits;
    private DecodeLimits s2cLimits;
    private final Side c2s = new Side(Direction.C2S);
    private final Side s2c = new Side(Direction.S2C);
    private String scheme = "ws";
    private Phase phase = Phase.HANDSHAKE;
    private HttpHead request;
    private long seq;
    private Frame firstClose;
    private Direction firstCloseDir;
    private boolean closeReported;
    private boolean ended;
    private boolean reportMissingClose = true;
    private boolean fedAny;
    private String client;
    private String server;
    /** The HTTP/2 stream of an RFC 8441 handshake, or -1 for an HTTP/1.1 upgrade. */
    private int h2Stream = -1;
    private Boolean connectProtocolEnabled;

    public Conversation(String conn, EventSink sink) {
        this(conn, sink, DEFAULT_RETAIN);
    }

    public Conversation(String conn, EventSink sink, int retainCap) {
        this.conn = conn;
        this.sink = sink;
        this.c2sLimits = DecodeLimits.retaining(retainCap);
        this.s2cLimits = c2sLimits;
    }

    public String conn() {
        return conn;
    }

    /** Whether the conversation has ended (its close event is out); it takes no more bytes then. */
    public boolean ended() {
        return ended;
    }

    /**
     * What each direction's message assembly may keep and decode (the retention cap given to the
     * constructor, no size limit and the default inflation bound otherwise). Set before the first
     * byte is fed.
     */
    public Conversation limits(DecodeLimits c2s, DecodeLimits s2c) {
        this.c2sLimits = c2s;
        this.s2cLimits = s2c;
        return this;
    }

    /** Bytes of decoded payload and buffered input this conversation holds right now. */
    public long retainedBytes() {
        return c2s.retainedBytes() + s2c.retainedBytes();
    }

    /** The URL scheme shown for the handshake: {@code ws} (default) or {@code wss}. */
    public Conversation scheme(String scheme) {
        this.scheme = scheme;
        return this;
    }

    /** The endpoints' addresses (host:port), shown with the handshake; either may be null. */
    public Conversation endpoints(String client, String server) {
        this.client = client;
        this.server = server;
        return this;
    }

    /**
     * Skips the handshake: the bytes are WebSocket frames from the start.
     *
     * @param deflate the negotiated permessage-deflate parameters, or null when not negotiated
     */
    public void assumeWebSocket(DeflateParams deflate) {
        sink.assumedWebSocket(conn, deflate);
        startWebSocket(deflate);
    }

    /**
     * Whether {@link #end} reports 1006 Abnormal Closure when no close frame was seen (default
     * true). Off for input that is only a slice of a stream, such as frames pasted into decode.
     */
    public Conversation reportMissingClose(boolean report) {
        this.reportMissingClose = report;
        return this;
    }

    /** True once the handshake succeeded (status 101) or WebSocket was assumed. */
    public boolean isWebSocket() {
        return phase == Phase.WEBSOCKET;
    }

    /**
     * Where this direction's bytes after its HTTP head begin, counted from the first byte fed in
     * that direction: frame and message offsets count from there, so a source that keeps the bytes
     * it fed can find each frame in them. Known as soon as the head is complete, so already while
     * the handshake event is handled; 0 with {@link #assumeWebSocket}; -1 before (or when the
     * head was malformed).
     */
    public long webSocketStart(Direction dir) {
        return side(dir).webSocketStart;
    }

    /**
     * The handshake arrives as HTTP/2 header blocks instead of bytes (RFC 8441): this is the extended
     * CONNECT that opened stream {@code streamId}, its fields in order with the pseudo-headers. The
     * answer comes with {@link #h2Response}; after a 2xx the stream's DATA bytes each way are the
     * WebSocket byte streams, fed with {@link #feed} exactly as a TCP connection's bytes.
     *
     * @param connectProtocolEnabled the server's SETTINGS_ENABLE_CONNECT_PROTOCOL, or null when the
     *                               source did not see its SETTINGS
     */
    public void h2Request(long timeMicros, int streamId, List<HttpHead.Header> fields, Boolean connectProtocolEnabled) {
        if (phase != Phase.HANDSHAKE || request != null) {
            return;
        }
        h2Stream = streamId;
        this.connectProtocolEnabled = connectProtocolEnabled;
        request = HttpHead.ofHttp2(fields);
        fedAny = true;
    }

    /**
     * Replays an HTTP/2 handshake recorded earlier (a capture store keeps the stream's DATA bytes, not
     * its header blocks): the event as recorded, then what follows is decoded as after it.
     */
    public void h2Handshake(HandshakeEvent recorded) {
        if (phase != Phase.HANDSHAKE || recorded.stream() < 0) {
            return;
        }
        if (recorded.response() == null || recorded.result() == null) {
            h2Request(recorded.timeMicros(), recorded.stream(), recorded.request() == null ? List.of()
                    : recorded.request().headers(), null); // the end says there was no answer, as it did
            return;
        }
        h2Stream = recorded.stream();
        fedAny = true;
        sink.accept(new HandshakeEvent(conn, recorded.timeMicros(), HandshakeEvent.H2, recorded.url(), recorded.request(),
                recorded.response(), recorded.result(), client, server, null, h2Stream));
        if (recorded.result().upgraded()) {
            startWebSocket(recorded.result().deflate());
        } else {
            phase = Phase.NOT_WEBSOCKET;
        }
    }

    /** The response header block of the extended CONNECT's stream (see {@link #h2Request}). */
    public void h2Response(long timeMicros, List<HttpHead.Header> fields) {
        if (phase != Phase.HANDSHAKE || h2Stream < 0) {
            return;
        }
        HttpHead response = HttpHead.ofHttp2(fields);
        HttpHead req = request != null ? request : HttpHead.ofHttp2(List.of());
        HandshakeResult result = H2Handshake.check(req, response, connectProtocolEnabled);
        sink.accept(new HandshakeEvent(conn, timeMicros, HandshakeEvent.H2, url(request), request, response, result,
                client, server, null, h2Stream));
        request = null;
        if (result.upgraded()) {
            byte[] early = c2s.takeEarly();
            c2s.webSocketStart = c2s.fed - early.length; // DATA the client sent before the answer: frames too
            s2c.webSocketStart = s2c.fed;
            startWebSocket(result.deflate());
            if (early.length > 0) {
                c2s.frames.feed(early, 0, early.length);
            }
        } else {
            phase = Phase.NOT_WEBSOCKET;
            c2s.takeEarly();
        }
    }

    /**
     * The HTTP/2 stream was reset ({@code RST_STREAM} from {@code from}, with its error code): an
     * abort, as a TCP reset is for a connection. Says so, then ends the conversation.
     */
    public void h2Reset(long timeMicros, Direction from, long errorCode) {
        if (ended) {
            return;
        }
        error(timeMicros, "h2", (from == Direction.C2S ? "The client" : "The server") + " reset the stream with "
                + H2Handshake.errorName(errorCode) + ".");
        end(timeMicros);
    }

    public void feed(Direction dir, long timeMicros, byte[] b) {
        feed(dir, timeMicros, b, 0, b.length);
    }

    public void feed(Direction dir, long timeMicros, byte[] b, int off, int len) {
        if (ended) {
            throw new IllegalStateException("conversation " + conn + " has ended");
        }
        fedAny |= len > 0;
        if (len > 0) {
            sink.chunk(conn, dir, timeMicros, b, off, len);
        }
        Side side = side(dir);
        side.time = timeMicros;
        side.fed += len;
        switch (phase) {
            case WEBSOCKET -> {
                if (side.undecodable) {
                    side.ignored += len;
                } else {
                    side.frames.feed(b, off, len);
                }
            }
            case HANDSHAKE -> handshakeBytes(side, timeMicros, b, off, len);
            case NOT_WEBSOCKET -> side.ignored += len;
        }
    }

    private void handshakeBytes(Side side, long t, byte[] b, int off, int len) {
        if (h2Stream >= 0) {
            // DATA before the answer to an extended CONNECT: the client's is kept for after a 2xx
            if (side.dir == Direction.C2S) {
                side.keepEarly(b, off, len);
            } else {
                side.ignored += len;
            }
            return;
        }
        if (side.dir == Direction.C2S && request != null) {
            side.keepEarly(b, off, len);
            return;
        }
        if (side.head == null) {
            side.head = new HttpHeadParser();
        }
        HttpHeadParser parser = side.head;
        int used = parser.feed(b, off, len);
        if (parser.isDone()) {
            side.head = null; // the parsed head goes into the events; the parser's memory is not kept
        }
        if (parser.isComplete() && parser.error() == null) {
            HttpHead head = parser.head();
            side.webSocketStart = side.fed - len + used;
            if (side.dir == Direction.C2S) {
                request = head;
                side.keepEarly(b, off + used, len - used);
            } else {
                responseComplete(head, t);
                if (phase == Phase.WEBSOCKET) {
                    s2c.frames.feed(b, off + used, len - used);
                }
            }
        } else if (parser.isDone()) {
            error(t, "handshake", side.dir.sender() + " did not send a valid HTTP head: " + parser.error());
            phase = Phase.NOT_WEBSOCKET;
        }
    }

    private void responseComplete(HttpHead response, long t) {
        HttpHead req = request != null ? request : new HttpHead("GET / HTTP/1.1", List.of(), 0);
        HandshakeResult result = Handshake.check(req, response);
        sink.accept(new HandshakeEvent(conn, t, HandshakeEvent.HTTP1, url(request), request, response, result, client,
                server));
        if (result.upgraded()) {
            // A server that answers before the client's request is complete: what the client sent so far
            // is not a head, so it is decoded as frames, exactly as if it had come after the answer.
            byte[] unparsed = request == null && c2s.head != null ? c2s.head.buffered() : null;
            if (unparsed != null) {
                c2s.webSocketStart = c2s.fed - unparsed.length;
            }
            startWebSocket(result.deflate());
            if (unparsed != null && unparsed.length > 0) {
                c2s.frames.feed(unparsed, 0, unparsed.length);
            }
            byte[] early = c2s.takeEarly();
            if (c2s.earlyDropped > 0) {
                // frames cannot be found again after a hole: say so instead of decoding garbage
                c2s.undecodable = true;
                error(t, "input", "c2s: the client sent more than " + MAX_EARLY + " bytes before the server answered"
                        + " the upgrade; " + c2s.earlyDropped + " of them were not kept, so its frames are not decoded.");
            } else if (early.length > 0) {
                c2s.frames.feed(early, 0, early.length);
            }
        } else {
            phase = Phase.NOT_WEBSOCKET;
            c2s.takeEarly();
        }
        request = null; // in the event; an open connection need not keep it
    }

    private String url(HttpHead req) {
        if (req == null) {
            return null;
        }
        if (h2Stream >= 0) {
            String authority = req.header(":authority");
            String path = req.header(":path");
            String s = req.header(":scheme");
            return ("https".equals(s) ? "wss" : "http".equals(s) ? "ws" : scheme) + "://"
                    + (authority == null ? "unknown-host" : authority) + (path == null ? "/" : path);
        }
        String target = req.target();
        if (target != null && target.contains("://")) {
            return target;
        }
        String host = req.header("Host");
        return scheme + "://" + (host == null ? "unknown-host" : host) + (target == null ? "/" : target);
    }

    private void startWebSocket(DeflateParams deflate) {
        phase = Phase.WEBSOCKET;
        for (Side side : new Side[] {c2s, s2c}) {
            if (side.webSocketStart < 0) {
                side.webSocketStart = side.fed; // assumed WebSocket: no head
            }
            side.head = null;
        }
        c2s.start(deflate, c2sLimits);
        s2c.start(deflate, s2cLimits);
    }

    /**
     * {@code missing} bytes of this direction were never captured (a packet capture with a lost
     * segment): said in an {@code input} error. Inside a frame's payload, decoding goes on exactly
     * after them (the message is marked with the missing bytes); otherwise the frame boundaries are
     * lost and decoding resumes at the next plausible frame header, which is said too. A message in
     * progress that cannot be followed is dropped; a compressed message with a hole cannot be
     * inflated past it (nor, with context takeover, later messages of the direction).
     */
    public void gap(Direction dir, long timeMicros, long missing) {
        if (ended || missing <= 0) {
            return;
        }
        sink.gap(conn, dir, timeMicros, missing);
        Side side = side(dir);
        side.time = timeMicros;
        side.fed += missing;
        if (phase != Phase.WEBSOCKET || side.undecodable) {
            if (phase == Phase.HANDSHAKE) {
                error(timeMicros, "input", dir.id() + ": " + missing + " bytes of the handshake were not captured; the"
                        + " connection is not decoded.");
                phase = Phase.NOT_WEBSOCKET;
            }
            return;
        }
        long at = side.frames.offset();
        boolean exact = side.frames.gap(missing);
        if (exact) {
            error(timeMicros, "input", dir.id() + ": " + missing + " bytes at byte " + at + " were not captured; they"
                    + " were frame payload, so decoding goes on after them (the message is shown without them).");
        } else {
            // a message that ended inside the hole was shown (with its missing bytes); one still open is not
            boolean dropped = side.messages.inMessage();
            if (dropped) {
                side.messages.abandon();
            }
            error(timeMicros, "input", dir.id() + ": " + missing + " bytes at byte " + at + " were not captured, and the"
                    + " frame boundaries with them" + (dropped ? " (the message in progress is dropped)" : "")
                    + "; decoding resumes at the next plausible frame header.");
        }
    }

    /**
     * Both streams have ended (connection closed, file read). Reports a stream that stopped inside
     * a frame or a message, and how the connection closed if no close handshake completed.
     */
    public void end(long timeMicros) {
        if (ended) {
            return;
        }
        ended = true;
        report(timeMicros);
        sink.ended(conn, timeMicros);
    }

    /**
     * Ends the conversation without reporting how it ended: for a source that has already said why
     * it cannot be followed (a packet capture that lost part of the handshake).
     */
    public void abandon(long timeMicros) {
        if (ended) {
            return;
        }
        ended = true;
        c2s.takeEarly();
        for (Side side : new Side[] {c2s, s2c}) {
            if (side.messages != null) {
                side.close();
            }
        }
        sink.ended(conn, timeMicros);
    }

    private void report(long timeMicros) {
        if (!fedAny && phase == Phase.HANDSHAKE) {
            return; // nothing crossed the wire: nothing to report (the source says why)
        }
        if (phase == Phase.HANDSHAKE) {
            String what = request == null ? "before the upgrade request was complete"
                    : "before the server answered the upgrade request";
            error(timeMicros, "handshake", "The connection ended " + what + ".");
            if (request != null) {
                sink.accept(new HandshakeEvent(conn, timeMicros, h2Stream >= 0 ? HandshakeEvent.H2 : HandshakeEvent.HTTP1,
                        url(request), request, null, null, client, server, null, h2Stream));
            }
            c2s.takeEarly();
            return;
        }
        if (phase != Phase.WEBSOCKET) {
            c2s.takeEarly();
            return;
        }
        for (Side side : new Side[] {c2s, s2c}) {
            Violation v = side.frames.finish();
            if (v != null) {
                error(timeMicros, "input", side.dir.id() + ": " + v.detail() + " The frame starts at byte " + v.offset() + ".");
            } else if (side.messages.inMessage()) {
                error(timeMicros, "input", side.dir.id() + ": the stream ends inside a fragmented message.");
            }
            side.close();
        }
        if (!closeReported) {
            closeReported = true;
            if (firstClose == null) {
                if (!reportMissingClose) {
                    return;
                }
                sink.accept(new CloseEvent(conn, timeMicros, CloseCodes.ABNORMAL, "", false, "none", false));
            } else {
                sink.accept(closeEvent(timeMicros, false));
            }
        }
    }

    private CloseEvent closeEvent(long t, boolean clean) {
        int code = firstClose.closeCode();
        boolean onWire = code >= 0;
        return new CloseEvent(conn, t, onWire ? code : CloseCodes.NO_STATUS_RECEIVED,
                onWire ? firstClose.closeReason() : "", onWire, firstCloseDir.sender(), clean);
    }

    private void closeFrame(Direction dir, Frame f, long t) {
        if (firstClose == null) {
            firstClose = f;
            firstCloseDir = dir;
        } else if (dir != firstCloseDir && !closeReported) {
            closeReported = true;
            sink.accept(closeEvent(t, true));
        }
    }

    /**
     * A transport fact the source saw about one direction's bytes (a TCP window, a segment held by
     * Nagle's algorithm, the proxy's own buffer): passed on as a {@link FlowEvent}.
     */
    public void flow(long t, Direction dir, String kind, long bytes, long micros) {
        sink.accept(new FlowEvent(conn, t, dir, kind, bytes, micros));
    }

    private void error(long t, String kind, String message) {
        sink.accept(new ErrorEvent(conn, t, kind, message));
    }

    private Side side(Direction dir) {
        return dir == Direction.C2S ? c2s : s2c;
    }

    /** One direction's decoding state. */
    private final class Side implements FrameListener {
        final Direction dir;
        /** Until this direction's HTTP head is complete; null before the first byte and after the head. */
        HttpHeadParser head;
        FrameParser frames;
        MessageAssembler messages;
        MessageInflater inflater;
        ByteArrayOutputStream early;
        /** Bytes of {@link #early} taken from the c2s budget. */
        long earlyReserved;
        /** Violations of the frame in progress already passed to {@link EventSink#violationFound}. */
        int violationsReported;
        /** Said once per direction: a message's inflation stopped at the decoding limit. */
        boolean inflateStopNoted;
        /** Bytes fed in this direction so far, and where its frames begin among them (-1: not yet known). */
        long fed;
        long webSocketStart = -1;
        long time;
        long frameSeq;
        long ignored;
        /** Bytes sent before the upgrade answer beyond what is kept for it; then the direction is not decoded. */
        long earlyDropped;
        boolean undecodable;

        Side(Direction dir) {
            this.dir = dir;
        }

        void start(DeflateParams deflate, DecodeLimits limits) {
            inflater = deflate == null ? null : new MessageInflater(deflate.noContextTakeover(dir));
            messages = new MessageAssembler(inflater, limits);
            frames = new FrameParser(dir, deflate != null, this);
        }

        long retainedBytes() {
            return (head == null ? 0 : head.retainedBytes()) + earlyReserved
                    + (messages == null ? 0 : messages.retainedBytes());
        }

        /** Client bytes sent before the upgrade answer: kept (up to a bound and the budget) to decode later. */
        void keepEarly(byte[] b, int off, int len) {
            if (len <= 0) {
                return;
            }
            if (early == null) {
                early = new ByteArrayOutputStream();
            }
            int keep = Math.max(0, Math.min(MAX_EARLY - early.size(), len));
            if (keep > 0 && !c2sLimits.budget().tryReserve(keep, early.size() + keep > dev.wsdebug.wire.RetainBudget.SMALL)) {
                keep = 0;
            }
            earlyReserved += keep;
            early.write(b, off, keep);
            earlyDropped += len - keep;
        }

        byte[] takeEarly() {
            byte[] out = early == null ? new byte[0] : early.toByteArray();
            early = null;
            c2sLimits.budget().release(earlyReserved);
            earlyReserved = 0;
            return out;
        }

        void close() {
            if (messages != null) {
                messages.release();
            }
            if (inflater != null) {
                inflater.close();
            }
        }

        @Override
        public void onFrameStart(Frame frame) {
            frameSeq = ++seq;
            violationsReported = 0;
            if (frames.takeResumed()) {
                error(time, "input", dir.id() + ": decoding resumed at byte " + frame.offset() + " on a plausible frame"
                        + " header, " + frames.skippedBytes() + " bytes after the gap; frame #" + frameSeq
                        + " and what follows may be misread if that guess was wrong.");
            }
            messages.frameStart(frame);
            reportEarly(frame);
        }

        @Override
        public void onFramePayloadGap(Frame frame, long payloadPos, long length) {
            messages.framePayloadGap(frame, payloadPos, length);
        }

        @Override
        public void onFramePayload(Frame frame, byte[] buf, int off, int len, long payloadPos) {
            messages.framePayload(frame, buf, off, len, payloadPos);
            reportEarly(frame);
        }

        /**
         * Passes on what the frame broke so far, before its end: to the endpoint at once, and for a
         * large frame (whose end may be far or never come) to every sink as an error event too.
         */
        private void reportEarly(Frame frame) {
            List<Violation> vs = frame.violations();
            for (int i = violationsReported; i < vs.size(); i++) {
                Violation v = vs.get(i);
                sink.violationFound(conn, dir, time, frame, v);
                if (frame.payloadLength() >= EARLY_REPORT_LENGTH) {
                    error(time, "violation", dir.id() + ": frame #" + frameSeq + " (" + frame.type() + ", "
                            + frame.payloadLength() + " payload bytes declared, at byte " + frame.offset() + ") breaks "
                            + v.rule() + " (" + v.rfc() + ", byte " + v.offset() + ") before its end: " + v.detail());
                }
            }
            violationsReported = vs.size();
            if (messages.inflateStopped() && !inflateStopNoted && messages.missing() == 0 && messages.historyLost()) {
                inflateStopNoted = true;
                error(time, "input", dir.id() + ": the compressed message in frame #" + frameSeq + " cannot be inflated:"
                        + " with context takeover it builds on earlier messages of this direction, and part of them was"
                        + " not captured; later compressed messages in this direction cannot be inflated either.");
            } else if (messages.inflateStopped() && !inflateStopNoted && messages.missing() == 0
                    && !frame.hasViolation(dev.wsdebug.wire.Rule.MESSAGE_TOO_BIG.id())) {
                inflateStopNoted = true;
                error(time, "input", dir.id() + ": inflation of the compressed message in frame #" + frameSeq
                        + " stopped at the decoding limit, so its length and SHA-256 are not known"
                        + (inflater.resetsEveryMessage() ? "."
                        : "; with context takeover, later compressed messages in this direction cannot be inflated either."));
            }
        }

        @Override
        public void onFrameEnd(Frame frame) {
            Message m = messages.frameEnd(frame);
            sink.accept(new FrameEvent(conn, time, dir, frameSeq, frame));
            if (m != null) {
                sink.accept(new MessageEvent(conn, time, dir, frameSeq, m));
            }
            if (frame.opcode() == Opcode.CLOSE) {
                closeFrame(dir, frame, time);
            }
        }
    }
}
