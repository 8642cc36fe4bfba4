package dev.wsdebug.net.replay;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.replay.Comparison;
import dev.wsdebug.capture.replay.RecordedConnection;
import dev.wsdebug.capture.replay.Recording;
import dev.wsdebug.capture.replay.Step;
import dev.wsdebug.net.client.ClientFailure;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Opcode;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Plays one recorded connection's client side against a server: a new handshake with the recorded
 * request's headers, subprotocols and extension offer; the client's messages, pings and close at
 * their recorded offsets (scaled), as fast as possible, or each after the server's replies that
 * preceded it; then compares what the server sent with what it sent in the recording.
 */
public final class Replayer {
    /** Headers the client sets itself for every handshake (or takes from options), never copied from the recording. */
    private static final Set<String> OWN_HEADERS = Set.of("host", "upgrade", "connection", "sec-websocket-key",
            "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "content-length",
            "transfer-encoding", "origin", "te", "http2-settings");

    private final ReplayOptions options;

    public Replayer(ReplayOptions options) {
        this.options = options;
    }

    /**
     * Replays the connection; events of the new session go to {@code sink} under connection id
     * {@code connId}, {@code notices} get the client's one-line notices.
     */
    public ReplayResult replay(RecordedConnection rec, long connId, EventSink sink,
                               java.util.function.Consumer<String> notices) throws InterruptedException {
        ClientOptions o = clientOptions(rec);
        List<String> notes = new ArrayList<>();
        Recording replayed = new Recording();
        ServerProgress server = new ServerProgress();
        EventSink all = EventSink.all(sink, replayed, server);
        try (WsClient client = new WsClient(o, all, notices).connectionIdsFrom(connId)) {
            ClientSession session;
            try {
                session = client.connect();
            } catch (ClientFailure f) {
                String why = f.getMessage();
                if (options.transport == null && o.transport == ClientOptions.Transport.HTTP2) {
                    why += " (The recording opened it over HTTP/2; --http1 replays it with the HTTP/1.1 upgrade.)";
                }
                return new ReplayResult(rec.conn(), o.url.toString(), why, null, notes);
            }
            long t0 = System.nanoTime();
            play(rec, session, server, t0, notes);
            finish(rec, session, server, notes);
            try {
                session.closed().get(options.timeoutMillis + 8_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                session.abort();
            }
        }
        RecordedConnection again = replayed.connections().isEmpty() ? null : replayed.connections().get(0);
        List<Step> got = again == null ? List.of() : again.messagesFrom(Direction.S2C);
        int closeAgain = again == null ? -1 : serverClose(again);
        // without the recording's frames (a HAR file), or when it has no close frame at all (the
        // capture ended first), the recorded close is unknown: not compared
        boolean closeKnown = rec.hasFrames() && rec.steps().stream().anyMatch(s -> s.opcode() == Opcode.CLOSE);
        Comparison.Result result = new Comparison(options.ignore).compare(rec.messagesFrom(Direction.S2C), got,
                closeKnown ? serverClose(rec) : closeAgain, closeAgain);
        return new ReplayResult(rec.conn(), o.url.toString(), null, result, notes);
    }

    /** Sends the client's steps in order, each at its time (or after its replies). */
    private void play(RecordedConnection rec, ClientSession session, ServerProgress server, long t0, List<String> notes)
            throws InterruptedException {
        long serverSoFar = 0;
        for (Step s : rec.steps()) {
            if (s.dir() == Direction.S2C) {
                if (s.opcode() == Opcode.CLOSE) {
                    // the server closed first: the client's close frame after this is its echo, which the
                    // replaying client sends by itself
                    return;
                }
                if (s.isData()) {
                    serverSoFar++;
                }
                continue;
            }
            if (!session.isOpen()) {
                notes.add("The server closed the connection before the client's " + Opcode.name(s.opcode())
                        + " at " + millis(s.offsetMicros()) + " in the recording, so the rest was not sent.");
                return;
            }
            if (options.waitReplies || s.opcode() == Opcode.CLOSE) {
                // a close always waits for the replies that came before it, or they would be cut off
                waitForReplies(server, serverSoFar, s, notes);
            }
            if (!options.waitReplies && Double.isFinite(options.speed)) {
                long due = t0 + (long) (s.offsetMicros() * 1000 / options.speed);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            send(session, s, notes);
            if (s.opcode() == Opcode.CLOSE) {
                return;
            }
        }
    }

    private void waitForReplies(ServerProgress server, long n, Step s, List<String> notes) throws InterruptedException {
        if (!server.awaitMessages(n, System.nanoTime() + options.timeoutMillis * 1_000_000) && server.messages() < n) {
            notes.add("Waited " + millis(options.timeoutMillis * 1000) + " for server message " + n + " before the client's "
                    + Opcode.name(s.opcode()) + " (recorded at " + millis(s.offsetMicros()) + "); sent it anyway.");
        }
    }

    private static void send(ClientSession session, Step s, List<String> notes) {
        if (!s.complete()) {
            notes.add("The capture kept only " + s.payload().length + " bytes of the client's " + Opcode.name(s.opcode())
                    + " message at " + millis(s.offsetMicros()) + "; only those were sent.");
        }
        switch (s.opcode()) {
            case Opcode.TEXT -> session.sendText(new String(s.payload(), StandardCharsets.UTF_8));
            case Opcode.BINARY -> session.sendBinary(s.payload());
            case Opcode.PING -> session.ping(s.payload());
            case Opcode.CLOSE -> session.close(s.closeCode() >= 0 && CloseCodes.isValidOnWire(s.closeCode())
                    ? s.closeCode() : CloseCodes.NORMAL, s.closeReason() == null ? "" : s.closeReason());
            default -> { }
        }
    }

    /**
     * After the client's last step: when the recording has the server closing, or no close at all,
     * waits for the server's remaining messages (and its close); then closes if it is still open.
     */
    private void finish(RecordedConnection rec, ClientSession session, ServerProgress server, List<String> notes)
            throws InterruptedException {
        if (!session.isOpen() || clientClosed(rec)) {
            return;
        }
        long deadline = System.nanoTime() + options.timeoutMillis * 1_000_000;
        long expected = rec.messagesFrom(Direction.S2C).size();
        server.awaitMessages(expected, deadline);
        boolean serverClosed = rec.close() != null && "server".equals(rec.close().initiator());
        if (serverClosed && !server.awaitClosed(deadline)) {
            notes.add("The server closed the connection in the recording but had not within "
                    + millis(options.timeoutMillis * 1000) + " here; the client closed it.");
        }
        if (session.isOpen()) {
            session.close(CloseCodes.NORMAL, "");
        }
    }

    /** Whether the client sent the first close frame in the recording. */
    private static boolean clientClosed(RecordedConnection rec) {
        for (Step s : rec.steps()) {
            if (s.opcode() == Opcode.CLOSE) {
                return s.dir() == Direction.C2S;
            }
        }
        return false;
    }

    /** The code of the server's close frame (1005 when it had none), or -1 when the server sent none. */
    private static int serverClose(RecordedConnection c) {
        for (Step s : c.from(Direction.S2C)) {
            if (s.opcode() == Opcode.CLOSE) {
                return s.closeCode() < 0 ? CloseCodes.NO_STATUS_RECEIVED : s.closeCode();
            }
        }
        return -1;
    }

    /** Whether the recorded WebSocket opened as an RFC 8441 extended CONNECT on an HTTP/2 stream. */
    private static boolean recordedOverHttp2(RecordedConnection rec) {
        return rec.handshake() != null && dev.wsdebug.capture.HandshakeEvent.H2.equals(rec.handshake().transport());
    }

    /** The client's settings for this connection: the target, and what the recorded request offered. */
    ClientOptions clientOptions(RecordedConnection rec) {
        ClientOptions o = options.client.copy();
        o.url = target(rec);
        o.transport = options.transport != null ? options.transport : recordedOverHttp2(rec)
                ? ClientOptions.Transport.HTTP2 : ClientOptions.Transport.HTTP1;
        HandshakeEvent h = rec.handshake();
        HttpHead req = h == null ? null : h.request();
        o.extensions = null;
        if (req != null) {
            o.subprotocols = new ArrayList<>(req.tokens("Sec-WebSocket-Protocol"));
            o.extensions = deflateOffers(req.joined("Sec-WebSocket-Extensions"));
            o.origin = req.header("Origin");
            if (!options.noHeaders) {
                for (HttpHead.Header hd : req.headers()) {
                    String name = hd.name().toLowerCase(Locale.ROOT);
                    if (!name.startsWith(":") && !OWN_HEADERS.contains(name) && !overridden(name)) {
                        o.headers.add(hd.name() + ": " + hd.value());
                    }
                }
            }
        }
        o.headers.addAll(options.headers);
        return o;
    }

    private boolean overridden(String lowerName) {
        return options.headers.stream().anyMatch(h -> h.substring(0, Math.max(0, h.indexOf(':'))).trim()
                .toLowerCase(Locale.ROOT).equals(lowerName));
    }

    /** The permessage-deflate offers of a recorded Sec-WebSocket-Extensions header (others the client cannot do), or null. */
    static String deflateOffers(String header) {
        if (header == null) {
            return null;
        }
        List<String> keep = new ArrayList<>();
        for (String offer : header.split(",")) {
            if (offer.trim().toLowerCase(Locale.ROOT).startsWith("permessage-deflate")) {
                keep.add(offer.trim());
            }
        }
        return keep.isEmpty() ? null : String.join(", ", keep);
    }

    /** --to, with the recorded path and query when --to has no path of its own. */
    URI target(RecordedConnection rec) {
        URI to = options.to;
        boolean ownPath = to.getRawPath() != null && !to.getRawPath().isEmpty() && !to.getRawPath().equals("/")
                || to.getRawQuery() != null;
        HandshakeEvent h = rec.handshake();
        if (ownPath || h == null || h.url() == null) {
            return to;
        }
        try {
            URI recorded = new URI(h.url());
            String path = recorded.getRawPath() == null || recorded.getRawPath().isEmpty() ? "/" : recorded.getRawPath();
            return new URI(to.getScheme() + "://" + to.getRawAuthority() + path
                    + (recorded.getRawQuery() == null ? "" : "?" + recorded.getRawQuery()));
        } catch (URISyntaxException e) {
            return to;
        }
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.3f s", micros / 1e6);
    }
}
