package dev.wsdebug.capture.export;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Builds whole connections as the bytes each side sent, in order, and feeds many of them,
 * interleaved chunk by chunk, through one {@link Conversation} each into a sink.
 */
final class Sessions {
    /** The key and accept value of RFC 6455 section 1.3. */
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    static final long T0 = 1_700_000_000_000_000L;

    private Sessions() {
    }

    /** One write by one side. */
    record Step(Direction dir, byte[] bytes) {
    }

    /** One connection: its id, optional endpoints, and the writes of both sides in wire order. */
    static final class Session {
        final String conn;
        final List<Step> steps = new ArrayList<>();
        final FrameWriter writer;
        String client;
        String server;
        MessageDeflater clientDeflate;
        MessageDeflater serverDeflate;

        Session(String conn) {
            this.conn = conn;
            this.writer = new FrameWriter(new Random(conn.hashCode()));
        }

        Session endpoints(String client, String server) {
            this.client = client;
            this.server = server;
            return this;
        }

        Session send(Direction dir, byte[] bytes) {
            steps.add(new Step(dir, bytes));
            return this;
        }

        Session upgrade(String target, String requestExtra, String responseExtra) {
            send(Direction.C2S, ("GET " + target + " HTTP/1.1\r\nHost: example.test:8080\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n"
                    + requestExtra + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return send(Direction.S2C, ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + ACCEPT + "\r\n" + responseExtra + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        }

        /**
         * Upgrade with permessage-deflate: context takeover both ways, or none on the server side.
         * (Wireshark 4.0 applies server_no_context_takeover to the client's messages and
         * client_no_context_takeover to the server's, so it fails to inflate a message that
         * refers to an earlier one when only one side has no context takeover.)
         */
        Session deflateUpgrade(String target, boolean serverNoContextTakeover) {
            clientDeflate = new MessageDeflater(false);
            serverDeflate = new MessageDeflater(serverNoContextTakeover);
            return upgrade(target, "Sec-WebSocket-Extensions: permessage-deflate\r\n",
                    "Sec-WebSocket-Extensions: permessage-deflate" + (serverNoContextTakeover ? "; server_no_context_takeover" : "")
                            + "\r\n");
        }

        /** One frame; masked when the client sends it. */
        Session frame(Direction dir, boolean fin, int opcode, byte[] payload) {
            Integer mask = dir == Direction.C2S ? writer.randomMaskKey() : null;
            return send(dir, writer.encode(new FrameSpec(fin, false, false, false, opcode, mask, 0, payload)));
        }

        Session text(Direction dir, String s) {
            return frame(dir, true, Opcode.TEXT, s.getBytes(StandardCharsets.UTF_8));
        }

        Session binary(Direction dir, byte[] b) {
            return frame(dir, true, Opcode.BINARY, b);
        }

        /** A compressed message in one frame (RSV1). */
        Session compressed(Direction dir, int opcode, byte[] payload) {
            MessageDeflater d = dir == Direction.C2S ? clientDeflate : serverDeflate;
            Integer mask = dir == Direction.C2S ? writer.randomMaskKey() : null;
            return send(dir, writer.encode(new FrameSpec(true, true, false, false, opcode, mask, 0, d.deflate(payload))));
        }

        Session close(Direction dir, int code, String reason) {
            return frame(dir, true, Opcode.CLOSE, FrameWriter.closePayload(code, reason));
        }

        /** The client closes, the server answers. */
        Session closeHandshake() {
            return close(Direction.C2S, 1000, "bye").close(Direction.S2C, 1000, "bye");
        }
    }

    /** Keeps every event. */
    static final class Recorder implements EventSink {
        final List<Event> events = new ArrayList<>();

        @Override
        public void accept(Event event) {
            events.add(event);
        }

        <T extends Event> List<T> of(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
        }

        <T extends Event> List<T> of(Class<T> type, String conn) {
            return of(type).stream().filter(e -> conn.equals(e.conn())).collect(Collectors.toList());
        }

        List<FrameEvent> frames(String conn) {
            return of(FrameEvent.class, conn);
        }

        List<MessageEvent> messages(String conn) {
            return of(MessageEvent.class, conn);
        }
    }

    /**
     * Feeds the sessions round robin, one step of each in turn, each step in chunks of at most
     * {@code chunk} bytes, 1 ms apart; then ends every conversation. Endpoints given to a session
     * reach the handshake event through {@link Conversation#endpoints}.
     */
    static Recorder run(EventSink sink, int chunk, List<Session> sessions) {
        return run(sink, chunk, Conversation.DEFAULT_RETAIN, sessions);
    }

    /** As {@link #run(EventSink, int, List)}, keeping at most {@code retain} decoded bytes per message. */
    static Recorder run(EventSink sink, int chunk, int retain, List<Session> sessions) {
        Recorder rec = new Recorder();
        EventSink both = EventSink.all(sink, rec);
        Map<Session, Conversation> convs = new LinkedHashMap<>();
        for (Session s : sessions) {
            convs.put(s, new Conversation(s.conn, both, retain).endpoints(s.client, s.server));
        }
        long t = T0;
        int max = sessions.stream().mapToInt(s -> s.steps.size()).max().orElse(0);
        for (int i = 0; i < max; i++) {
            for (Session s : sessions) {
                if (i >= s.steps.size()) {
                    continue;
                }
                Step step = s.steps.get(i);
                byte[] b = step.bytes();
                for (int off = 0; off < b.length; off += chunk) {
                    t += 1000;
                    convs.get(s).feed(step.dir(), t, b, off, Math.min(chunk, b.length - off));
                }
            }
        }
        for (Conversation c : convs.values()) {
            t += 1000;
            c.end(t);
        }
        sink.close();
        return rec;
    }

    static List<Session> list(Session... s) {
        return List.of(s);
    }
}
