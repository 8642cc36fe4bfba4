package dev.wsdebug.sniff.http;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.wire.DecodeLimits;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;

/**
 * One WebSocket seen in a capture: the {@link Conversation} its bytes go through (the one
 * pipeline, as for every source), and which packets carried them, so that each frame event names
 * its packets ({@code "packets":[17,19]}).
 */
public final class CapturedConversation {
    private final Conversation conversation;
    private final PacketSpans c2s = new PacketSpans();
    private final PacketSpans s2c = new PacketSpans();
    private boolean ended;

    public CapturedConversation(String conn, EventSink sink, String scheme, String client, String server, DecodeLimits limits) {
        this.conversation = new Conversation(conn, new Numbering(sink), limits.retainCap())
                .limits(limits, limits)
                .scheme(scheme)
                .endpoints(client, server);
    }

    /** For a capture that begins after the handshake: the bytes are frames from the first one. */
    void assumeWebSocket(DeflateParams deflate) {
        conversation.assumeWebSocket(deflate);
    }

    /**
     * The extended CONNECT that opened HTTP/2 stream {@code stream} (RFC 8441), its fields in order;
     * {@code connectProtocol} is the server's SETTINGS_ENABLE_CONNECT_PROTOCOL, null when not seen.
     */
    public void h2Request(long timeNanos, int stream, java.util.List<dev.wsdebug.wire.HttpHead.Header> fields,
                          Boolean connectProtocol) {
        conversation.h2Request(Math.floorDiv(timeNanos, 1000), stream, fields, connectProtocol);
    }

    /** The response fields of the extended CONNECT's stream. */
    public void h2Response(long timeNanos, java.util.List<dev.wsdebug.wire.HttpHead.Header> fields) {
        conversation.h2Response(Math.floorDiv(timeNanos, 1000), fields);
    }

    /** The stream was reset by {@code from} (RST_STREAM with this error code): ends the conversation. */
    public void h2Reset(long timeNanos, Direction from, long errorCode) {
        if (!ended) {
            ended = true;
            conversation.h2Reset(Math.floorDiv(timeNanos, 1000), from, errorCode);
        }
    }

    public void feed(Direction dir, long packet, long timeNanos, byte[] b, int off, int len) {
        if (ended || len <= 0) {
            return;
        }
        spans(dir).add(packet, len); // before feeding: the frame events it triggers look them up
        conversation.feed(dir, Math.floorDiv(timeNanos, 1000), b, off, len);
    }

    /** Bytes of a direction that were not captured. */
    public void gap(Direction dir, long timeNanos, long missing) {
        if (ended || missing <= 0) {
            return;
        }
        spans(dir).add(PacketSpans.NO_PACKET, (int) Math.min(Integer.MAX_VALUE, missing));
        conversation.gap(dir, Math.floorDiv(timeNanos, 1000), missing);
    }

    /** A transport fact about {@code dir}'s bytes ({@code capture.FlowEvent}), passed on while the conversation lasts. */
    public void flow(Direction dir, long timeNanos, String kind, long bytes, long micros) {
        if (!ended) {
            conversation.flow(Math.floorDiv(timeNanos, 1000), dir, kind, bytes, micros);
        }
    }

    public void end(long timeNanos) {
        if (!ended) {
            ended = true;
            conversation.end(Math.floorDiv(timeNanos, 1000));
        }
    }

    /** Ends it without a report of how (the caller said why it cannot be followed). */
    public void abandon(long timeNanos) {
        if (!ended) {
            ended = true;
            conversation.abandon(Math.floorDiv(timeNanos, 1000));
        }
    }

    public boolean ended() {
        return ended;
    }

    public boolean isWebSocket() {
        return conversation.isWebSocket();
    }

    private PacketSpans spans(Direction dir) {
        return dir == Direction.C2S ? c2s : s2c;
    }

    /** Adds the packet numbers to frame events on their way to the sink. */
    private final class Numbering implements EventSink {
        private final EventSink next;

        Numbering(EventSink next) {
            this.next = next;
        }

        @Override
        public void accept(Event event) {
            if (event instanceof FrameEvent f) {
                long start = conversation.webSocketStart(f.dir()) + f.frame().offset();
                event = f.withPackets(spans(f.dir()).packets(start, f.frame().wireLength()));
            }
            next.accept(event);
        }

        @Override
        public void chunk(String conn, Direction dir, long timeMicros, byte[] b, int off, int len) {
            next.chunk(conn, dir, timeMicros, b, off, len);
        }

        @Override
        public void gap(String conn, Direction dir, long timeMicros, long missing) {
            next.gap(conn, dir, timeMicros, missing);
        }

        @Override
        public void ended(String conn, long timeMicros) {
            next.ended(conn, timeMicros);
        }

        @Override
        public void assumedWebSocket(String conn, DeflateParams deflate) {
            next.assumedWebSocket(conn, deflate);
        }

        @Override
        public void flush() {
            next.flush();
        }
    }
}
