package dev.wsdebug.sniff.http;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.wire.DecodeLimits;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;

/**
 * A WebSocket whose handshake the capture does not hold (it began later, or {@code --assume-ws}
 * named its port): its bytes are frames from the first one. What the handshake would have said is
 * assumed and said so: the client is the side that masks, and since permessage-deflate may have
 * been negotiated, compressed (RSV1) messages are inflated as with the default parameters
 * (context takeover, 15-bit windows) — a message that needs the lost history fails to inflate
 * and is reported, never guessed.
 */
public final class MidStreamWebSocket {
    private final CapturedConversation conversation;
    private final EventSink sink;
    private final String conn;
    private final boolean forced;
    private boolean noted;

    /** @param forced whether {@code --assume-ws} named the port (rather than the frames being recognised) */
    public MidStreamWebSocket(String conn, EventSink sink, String client, String server, DecodeLimits limits,
                              boolean forced) {
        this.conn = conn;
        this.sink = sink;
        this.forced = forced;
        this.conversation = new CapturedConversation(conn, sink, "ws", client, server, limits);
        conversation.assumeWebSocket(DeflateParams.DEFAULT);
    }

    public void feed(Direction dir, long packet, long timeNanos, byte[] b, int off, int len) {
        if (!noted) {
            noted = true;
            sink.accept(new ErrorEvent(conn, Math.floorDiv(timeNanos, 1000), "input", (forced
                    ? "--assume-ws: this connection is decoded as WebSocket frames from its first byte"
                    : "The capture holds no handshake for this connection; its bytes were recognised as WebSocket"
                    + " frames from packet " + packet) + ". The client is taken to be the side that masks its frames;"
                    + " compressed (RSV1) messages are inflated as with permessage-deflate's defaults (context"
                    + " takeover, 15-bit windows), since the negotiation was not captured."));
        }
        conversation.feed(dir, packet, timeNanos, b, off, len);
    }

    public void gap(Direction dir, long timeNanos, long missing) {
        conversation.gap(dir, timeNanos, missing);
    }

    /** A transport fact about {@code dir}'s bytes ({@code capture.FlowEvent}). */
    public void flow(Direction dir, long timeNanos, String kind, long bytes, long micros) {
        conversation.flow(dir, timeNanos, kind, bytes, micros);
    }

    public void end(long timeNanos) {
        conversation.end(timeNanos);
    }
}
