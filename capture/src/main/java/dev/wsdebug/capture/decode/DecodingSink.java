package dev.wsdebug.capture.decode;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The payload decoding stage of the pipeline: passes every event on, each message event with
 * what its application protocol says ({@link MessageEvent#decoded()}). It sits after whatever
 * produced the events (a {@code Conversation}, a capture store, a HAR file), so every source is
 * decoded alike. Not thread-safe: give it the events of one thread, or wrap it.
 */
public final class DecodingSink implements EventSink {
    /** {@code --decode none}. */
    public static final String NONE = "none";

    private final EventSink next;
    private final List<PayloadDecoder> decoders = Decoders.all();
    private final PayloadDecoder forced;
    private final boolean off;
    private final Map<String, ConnectionDecoding> connections = new HashMap<>();

    /**
     * @param decode null: choose per connection; {@link #NONE}: no decoding; else the name of the
     *               protocol every message is read as
     * @throws IllegalArgumentException for an unknown protocol name, with one sentence
     */
    public DecodingSink(EventSink next, String decode) {
        this.next = next;
        this.off = NONE.equals(decode);
        if (decode == null || off) {
            this.forced = null;
        } else {
            this.forced = Decoders.named(decode);
            if (forced == null) {
                throw new IllegalArgumentException("--decode takes none or one of " + String.join(", ", Decoders.names())
                        + ", not " + decode + ".");
            }
        }
    }

    @Override
    public void accept(Event e) {
        if (off) {
            next.accept(e);
            return;
        }
        if (e instanceof HandshakeEvent h) {
            String sub = h.result() == null ? null : h.result().subprotocol();
            connections.put(h.conn(), new ConnectionDecoding(decoders, forced, sub, h.url()));
        } else if (e instanceof MessageEvent m && m.decoded() == null) {
            ConnectionDecoding c = connections.computeIfAbsent(m.conn(),
                    k -> new ConnectionDecoding(decoders, forced, null, null)); // no handshake seen (mid-stream capture)
            Decoded d = c.decode(m.message(), m.dir(), m.seq(), m.timeMicros());
            next.accept(d == null ? m : m.withDecoded(d));
            return;
        } else if (e instanceof CloseEvent c) {
            connections.remove(c.conn());
        }
        next.accept(e);
    }

    @Override
    public void flush() {
        next.flush();
    }
}
