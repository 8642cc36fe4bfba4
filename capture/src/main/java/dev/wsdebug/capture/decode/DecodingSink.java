package dev.wsdebug.capture.decode;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

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
    /** With a protobuf schema: reads the binary messages no other decoder took (then with the sentence why not). */
    private final ProtobufSchemaDecoder schema;
    private final Map<String, ConnectionDecoding> connections = new HashMap<>();

    /**
     * @param decode null: choose per connection; {@link #NONE}: no decoding; else the name of the
     *               protocol every message is read as
     * @throws IllegalArgumentException for an unknown protocol name, with one sentence
     */
    public DecodingSink(EventSink next, String decode) {
        this(next, decode, null);
    }

    /**
     * As {@link #DecodingSink(EventSink, String)}, binary messages read as protobuf with this schema
     * when it is not null: every message under {@code --decode protobuf}, else those of connections
     * no other protocol holds, ahead of the formats that are only guessed (MessagePack, CBOR).
     *
     * @throws IllegalArgumentException also for a schema with {@code decode} naming another protocol or none
     */
    public DecodingSink(EventSink next, String decode, ProtoSchema schema) {
        this.next = next;
        this.off = NONE.equals(decode);
        this.schema = schema == null ? null : new ProtobufSchemaDecoder(schema);
        if (this.schema != null) {
            // before the guessed binary formats, in place of the schema-less protobuf reading
            decoders.removeIf(d -> d instanceof ProtobufDecoder);
            decoders.add(firstGuessedBinary(), this.schema);
        }
        if (decode == null || off) {
            this.forced = null;
        } else {
            PayloadDecoder named = Decoders.named(decode);
            this.forced = this.schema != null && named instanceof ProtobufDecoder ? this.schema : named;
            if (forced == null) {
                throw new IllegalArgumentException("--decode takes none or one of " + String.join(", ", Decoders.names())
                        + ", not " + decode + ".");
            }
        }
        if (this.schema != null && forced != this.schema && decode != null) {
            throw new IllegalArgumentException("--proto reads messages as protobuf, so it cannot go with --decode "
                    + decode + ".");
        }
    }

    private int firstGuessedBinary() {
        for (int i = 0; i < decoders.size(); i++) {
            if (decoders.get(i) instanceof BinaryTreeDecoder) {
                return i;
            }
        }
        return decoders.size();
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
            Decoded d = decode(c, m);
            next.accept(d == null ? m : m.withDecoded(d));
            return;
        } else if (e instanceof CloseEvent c) {
            connections.remove(c.conn());
        }
        next.accept(e);
    }

    private Decoded decode(ConnectionDecoding c, MessageEvent m) {
        Decoded d = c.decode(m.message(), m.dir(), m.seq(), m.timeMicros());
        if (d == null && schema != null && !m.message().isText()) {
            // sniffed formats that fail say nothing; with the user's schema, why it fails is worth a sentence
            d = schema.decode(m.message(), m.dir(), new DecodeState());
            if (d.ok()) {
                c.recognised(d.protocol());
            }
        }
        return d;
    }

    /**
     * The application protocol this stage reads a connection's messages as, so far (see
     * {@link #protocolOf}); null when none yet, when decoding is off, or the connection is unknown
     * or closed.
     */
    public String protocol(String conn) {
        ConnectionDecoding c = off ? null : connections.get(conn);
        return c == null ? null : c.protocol();
    }

    /**
     * Which application protocol a connection speaks, chosen as this stage chooses it, without
     * passing anything on: the one forced; else the one its handshake claims (then {@code first} is
     * not asked for); else the first specific protocol recognised in its first messages, read in
     * order, else the generic format of the first one recognised. Null when none, or decoding is off.
     *
     * @param subprotocol the negotiated subprotocol, or null
     * @param url         the handshake's URL, or null (no handshake seen)
     * @param first       the connection's first few messages, in wire order (a handful: each is decoded)
     */
    public String protocolOf(String subprotocol, String url, Supplier<List<MessageEvent>> first) {
        if (off) {
            return null;
        }
        ConnectionDecoding c = new ConnectionDecoding(decoders, forced, subprotocol, url);
        if (!c.settled()) {
            for (MessageEvent m : first.get()) {
                decode(c, m);
                if (c.settled()) {
                    break;
                }
            }
        }
        return c.protocol();
    }

    @Override
    public void flush() {
        next.flush();
    }
}
